// Reads the connection settings of a .my.cnf the way mysqldump would (its option groups, the
// clients' quoting and escapes), so the database listing connects exactly as the dump will.
import { readFileSync } from "node:fs";
import { optionsIn } from "../providers/mysql/option-file.js";

export interface MyCnf {
  user?: string;
  password?: string;
  host?: string;
  port?: number;
  socket?: string;
}

const GROUPS = new Set(["client", "client-server", "client-mariadb", "mariadb-client", "mysqldump"]);

/** Parses option-file text; later groups and lines win, as in the MySQL clients. */
export function parseMyCnf(text: string): MyCnf {
  const o = optionsIn(text, GROUPS);
  const port = o.get("port");
  return {
    user: o.get("user"),
    password: o.get("password"),
    host: o.get("host"),
    port: port === undefined ? undefined : Number(port),
    socket: o.get("socket"),
  };
}

/** Reads and parses a .my.cnf file. */
export function readMyCnf(path: string): MyCnf {
  return parseMyCnf(readFileSync(path, "utf8"));
}
