// Expands the config's database entries into one dump each: plain names, % patterns ("wp_%":
// every database starting "wp_"), or "db t1 t2". `%` is the only wildcard and `_` is literal,
// exactly as mysql_user grants the same entry (providers/mysql/privileges.ts databasePattern).
import { createConnection } from "mysql2/promise";
import { endpointOf } from "../providers/mysql/connection.js";
import { isPattern, patternToRegExp, splitEntry } from "./database-entries.js";
import { readMyCnf } from "./mycnf.js";

export interface DatabaseDump {
  database: string;
  tables: string[];
  /** Data + index bytes from information_schema, to size the upload's parts. */
  expectedBytes?: number;
}

const SYSTEM = new Set(["information_schema", "performance_schema", "sys", "mysql"]);

export interface Resolution {
  dumps: DatabaseDump[];
  /** Entries that could not be resolved, with why (a pattern when the server is unreachable). */
  problems: { entry: string; message: string }[];
  /** Patterns that matched nothing: worth a warning, not a failure. */
  empty: string[];
}

/** Resolves entries against the server the .my.cnf points at. Never throws. */
export async function resolveDatabases(defaultsFile: string, entries: string[]): Promise<Resolution> {
  const res: Resolution = { dumps: [], problems: [], empty: [] };
  let existing: string[] | undefined;
  const sizes = new Map<string, number>();
  let connectError = "";
  try {
    const cnf = readMyCnf(defaultsFile);
    const { socket, host, port } = endpointOf(cnf);
    const conn = await createConnection({
      user: cnf.user,
      password: cnf.password,
      ...(socket ? { socketPath: socket } : { host, port }),
      connectTimeout: 10_000,
    });
    try {
      const [rows] = await conn.query("SHOW DATABASES");
      existing = (rows as Record<string, string>[]).map((r) => Object.values(r)[0]);
      const [sz] = await conn.query(
        "SELECT table_schema AS s, SUM(data_length + index_length) AS b FROM information_schema.tables GROUP BY table_schema",
      );
      for (const r of sz as { s: string; b: string | number | null }[]) sizes.set(r.s, Number(r.b ?? 0));
    } finally {
      await conn.end();
    }
  } catch (err) {
    connectError = (err as { code?: string; message?: string }).code ?? (err as Error).message;
  }
  const seen = new Set<string>();
  const add = (database: string, tables: string[]) => {
    const id = [database, ...tables].join(" ");
    if (seen.has(id)) return;
    seen.add(id);
    res.dumps.push({ database, tables, expectedBytes: sizes.get(database) });
  };
  for (const entry of entries) {
    if (!isPattern(entry)) {
      const { database, tables } = splitEntry(entry);
      add(database, tables);
      continue;
    }
    if (!existing) {
      res.problems.push({ entry, message: `cannot list databases to expand the pattern (${connectError})` });
      continue;
    }
    const re = patternToRegExp(entry);
    const matched = existing.filter((d) => re.test(d) && !SYSTEM.has(d));
    if (matched.length === 0) res.empty.push(entry);
    for (const d of matched) add(d, []);
  }
  return res;
}
