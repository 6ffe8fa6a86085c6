// The `mysql` client as used by restore and verify (operator side): how it connects, and running
// a statement. Credentials come from a defaults file or the operator's own ~/.my.cnf; only the
// server location is taken from the job's .my.cnf, never its user or password.
import { runProgram } from "../engine/program.js";
import type { BackupConfig } from "./config.js";
import { endpointOf } from "../providers/mysql/connection.js";
import { readMyCnf } from "./mycnf.js";

/** Connection arguments for the mysql client (defaults file first, as the client requires). */
export function adminConnArgs(cfg: BackupConfig, defaultsFile?: string): string[] {
  if (defaultsFile) return [`--defaults-file=${defaultsFile}`];
  if (!cfg.mysql) return [];
  try {
    const { socket, host, port } = endpointOf(readMyCnf(cfg.mysql.defaults_file));
    return socket ? [`--socket=${socket}`] : [`--host=${host}`, `--port=${port}`];
  } catch {
    return [];
  }
}

/** A quoted identifier: `name` with backticks doubled. */
export const ident = (s: string) => `\`${s.replace(/`/g, "``")}\``;

/** Runs SQL through the mysql client (on stdin); resolves with tab-separated rows. */
export async function mysqlQuery(conn: string[], sql: string): Promise<string[][]> {
  const r = await runProgram("mysql", [...conn, "--batch", "--skip-column-names", "--raw"], { input: sql });
  if (r.code !== 0) {
    // On an error the client also echoes the statement between dashed lines: keep the ERROR lines.
    const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
    const errors = lines.filter((l) => l.startsWith("ERROR"));
    throw new Error(`mysql exited ${r.code}: ${(errors.length ? errors : lines).join(" | ")}`);
  }
  return r.stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));
}
