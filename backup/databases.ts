// Expands the config's database entries into one dump each: plain names, % patterns ("wp_%":
// every database starting "wp_"), or "db t1 t2". `%` is the only wildcard and `_` is literal,
// exactly as mysql_user grants the same entry (providers/mysql/privileges.ts databasePattern).
// The databases are listed by the mysql client reading the dump's own --defaults-file, so the
// listing reaches the server the way mysqldump will, with the same account.
import { isPattern, patternToRegExp, splitEntry } from "../contract/database-entries.js";
import type { System } from "./system.js";

export interface DatabaseDump {
  database: string;
  tables: string[];
  /** Data + index bytes from information_schema, to size the upload's parts. */
  expectedBytes?: number;
}

const SYSTEM = new Set(["information_schema", "performance_schema", "sys", "mysql"]);

// Every database the account can see (SCHEMATA shows exactly what SHOW DATABASES would), with its size.
const LISTING =
  "SELECT s.SCHEMA_NAME, COALESCE(SUM(t.DATA_LENGTH + t.INDEX_LENGTH), 0) FROM information_schema.SCHEMATA s " +
  "LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME GROUP BY s.SCHEMA_NAME";

export interface Resolution {
  dumps: DatabaseDump[];
  /** Entries that could not be resolved, with why (a pattern when the server is unreachable). */
  problems: { entry: string; message: string }[];
  /** Patterns that matched nothing: worth a warning, not a failure. */
  empty: string[];
  /** Why the server could not be asked, when it could not. */
  unreachable?: string;
}

export interface ListingOptions {
  /** Seconds the client may take to connect (--connect-timeout). */
  connectSeconds: number;
  /** Stops the listing (the run's deadline). */
  signal?: AbortSignal;
}

/** The client's batch-mode escapes undone: a name may hold a tab or a newline. */
const unescape = (field: string) =>
  field.replace(/\\([\s\S])/g, (_, c: string) => ({ t: "\t", n: "\n", "0": "\0" })[c] ?? c);

/** Databases and sizes as the dump account sees them, or why the server could not be asked. */
async function listDatabases(
  sys: System,
  defaultsFile: string,
  opts: ListingOptions,
): Promise<Map<string, number> | string> {
  // --defaults-file first, or the client ignores it; no password in argv, it stays in the file.
  const argv = [
    "mysql",
    `--defaults-file=${defaultsFile}`,
    `--connect-timeout=${opts.connectSeconds}`,
    "--batch",
    "--skip-column-names",
  ];
  const r = await sys.run(argv, { input: LISTING, signal: opts.signal }).catch((e: Error) => e);
  if (r instanceof Error) return `cannot run the mysql client: ${r.message}`;
  if (r.signal) return "stopped before the server answered";
  if (r.code !== 0) {
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
    return (lines.find((l) => l.startsWith("ERROR")) ?? lines.at(-1) ?? `mysql exited ${r.code}`).trim();
  }
  const sizes = new Map<string, number>();
  for (const line of r.stdout.split("\n")) {
    if (line === "") continue;
    const [name, bytes] = line.split("\t").map(unescape);
    sizes.set(name, Number(bytes));
  }
  return sizes;
}

/** Resolves entries against the server the defaults file points at. Never throws. */
export async function resolveDatabases(
  sys: System,
  defaultsFile: string,
  entries: string[],
  opts: ListingOptions,
): Promise<Resolution> {
  const res: Resolution = { dumps: [], problems: [], empty: [] };
  const listed = await listDatabases(sys, defaultsFile, opts);
  const sizes = typeof listed === "string" ? new Map<string, number>() : listed;
  if (typeof listed === "string") res.unreachable = listed;
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
    if (typeof listed === "string") {
      res.problems.push({ entry, message: `cannot list databases to expand the pattern (${listed})` });
      continue;
    }
    const re = patternToRegExp(entry);
    const matched = [...sizes.keys()].filter((d) => re.test(d) && !SYSTEM.has(d));
    if (matched.length === 0) res.empty.push(entry);
    for (const d of matched) add(d, []);
  }
  return res;
}
