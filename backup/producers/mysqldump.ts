// Database producer: mysqldump of one database (optionally some tables), reading user, password
// and socket/host from the job's .my.cnf via --defaults-file, so no password is ever in argv.
// Without --databases the dump has no CREATE DATABASE/USE, so it restores into any database name.
//
// A table another session holds locked (LOCK TABLES ... WRITE, a long ALTER) makes the dump's
// SELECT wait for its metadata lock, by default for a day. MariaDB's mysqldump bounds every
// statement with --max-statement-time, which the job sets to the time left before the run's
// deadline, so the server gives up the wait by then even if the job is gone; the job itself
// fails the asset much sooner, when the dump has been silent for timeouts.idle (backup/upload.ts).
// A lower per-statement limit is no use: a large table's SELECT streams for as long as the
// upload takes, and the limit would cut it.
import { producerOf, type Producer } from "../stage.js";
import type { System } from "../system.js";

/**
 * argv for mysqldump; --defaults-file must come first or mysqldump ignores it. The names follow
 * "--": mysqldump takes options anywhere on its command line, so without it a name such as
 * "--no-data" would be read as an option (and "shop --no-data" dump no rows).
 */
export function mysqldumpArgs(
  defaultsFile: string,
  database: string,
  tables: string[],
  limits: string[] = [],
): string[] {
  return [
    `--defaults-file=${defaultsFile}`,
    "--single-transaction",
    "--routines",
    "--events",
    "--triggers",
    "--hex-blob",
    ...limits,
    "--",
    database,
    ...tables,
  ];
}

let supportsStatementTime: Promise<boolean> | undefined;

/** --max-statement-time=SECONDS where this mysqldump has it (MariaDB's); MySQL's has no such bound. */
export async function statementTimeLimit(sys: System, seconds: number): Promise<string[]> {
  supportsStatementTime ??= sys
    .run(["mysqldump", "--no-defaults", "--help"])
    .then((r) => /^\s*--max-statement-time\b/m.test(r.stdout))
    .catch(() => false);
  return (await supportsStatementTime) ? [`--max-statement-time=${Math.max(1, Math.ceil(seconds))}`] : [];
}

/** Starts mysqldump; its stdout is the SQL dump. */
export function mysqldumpProducer(
  sys: System,
  defaultsFile: string,
  database: string,
  tables: string[],
  limits: string[],
): Producer {
  return producerOf(sys.spawn(["mysqldump", ...mysqldumpArgs(defaultsFile, database, tables, limits)]), "mysqldump");
}
