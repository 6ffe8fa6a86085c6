// Reads the connection settings of a .my.cnf the way mysqldump would (its client groups), so the
// database listing connects exactly as the dump will.
import { readFileSync } from "node:fs";

export interface MyCnf {
  user?: string;
  password?: string;
  host?: string;
  port?: number;
  socket?: string;
}

const GROUPS = new Set(["client", "client-server", "client-mariadb", "mariadb-client", "mysqldump"]);

function unquote(v: string): string {
  const m = /^(["'])(.*)\1$/.exec(v);
  if (!m) return v.replace(/\s+#.*$/, "");
  return m[1] === '"' ? m[2].replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", "\\": "\\" }[c] ?? c)) : m[2];
}

/** Parses option-file text; later groups and lines win, as in the MySQL clients. */
export function parseMyCnf(text: string): MyCnf {
  const out: MyCnf = {};
  let active = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const group = /^\[([^\]]+)\]$/.exec(line);
    if (group) { active = GROUPS.has(group[1].trim().toLowerCase()); continue; }
    if (!active) continue;
    const kv = /^([A-Za-z0-9_-]+)\s*(?:=\s*(.*))?$/.exec(line);
    if (!kv) continue;
    const key = kv[1].toLowerCase().replace(/_/g, "-");
    const value = unquote((kv[2] ?? "").trim());
    if (key === "user") out.user = value;
    else if (key === "password") out.password = value;
    else if (key === "host") out.host = value;
    else if (key === "port") out.port = Number(value);
    else if (key === "socket") out.socket = value;
  }
  return out;
}

/** Reads and parses a .my.cnf file. */
export function readMyCnf(path: string): MyCnf {
  return parseMyCnf(readFileSync(path, "utf8"));
}
