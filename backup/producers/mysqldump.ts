// Database producer: mysqldump of one database (optionally some tables), reading user, password
// and socket/host from the job's .my.cnf via --defaults-file, so no password is ever in argv.
// Without --databases the dump has no CREATE DATABASE/USE, so it restores into any database name.
import { spawn } from "node:child_process";
import { producerOf, type Producer } from "../stage.js";

/**
 * argv for mysqldump; --defaults-file must come first or mysqldump ignores it. The names follow
 * "--": mysqldump takes options anywhere on its command line, so without it a name such as
 * "--no-data" would be read as an option (and "shop --no-data" dump no rows).
 */
export function mysqldumpArgs(defaultsFile: string, database: string, tables: string[]): string[] {
  return [
    `--defaults-file=${defaultsFile}`,
    "--single-transaction",
    "--routines",
    "--events",
    "--triggers",
    "--hex-blob",
    "--",
    database,
    ...tables,
  ];
}

/** Starts mysqldump; its stdout is the SQL dump. */
export function mysqldumpProducer(defaultsFile: string, database: string, tables: string[]): Producer {
  const child = spawn("mysqldump", mysqldumpArgs(defaultsFile, database, tables), {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return producerOf(child, "mysqldump");
}
