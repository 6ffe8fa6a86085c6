// The `mysql` client as used by restore and verify (operator side): how it connects, and running
// a statement. Credentials come from a defaults file or the operator's own ~/.my.cnf; only the
// server location is taken from the job's .my.cnf, never its user or password.
import type { BackupConfig } from "./config.js";
import type { System } from "./system.js";

// The groups the mysql client reads from a defaults file (it adds [mysql]; mysqldump adds [mysqldump]).
const CLIENT_GROUPS = ["client", "client-server", "client-mariadb", "mariadb-client", "mysql"];

/**
 * Connection arguments for the mysql client (defaults file first, as the client requires). Without
 * one, the server location of the job's .my.cnf, read by my_print_defaults (the clients' own
 * option-file reader), so a quoted or escaped value means what it means to mysqldump.
 */
export async function adminConnArgs(sys: System, cfg: BackupConfig, defaultsFile?: string): Promise<string[]> {
  if (defaultsFile) return [`--defaults-file=${defaultsFile}`];
  if (!cfg.mysql) return [];
  const r = await sys
    .run(["my_print_defaults", `--defaults-file=${cfg.mysql.defaults_file}`, ...CLIENT_GROUPS])
    .catch(() => undefined);
  if (!r || r.code !== 0) return [];
  // One --name=value per line; later lines win, as they do in the clients.
  const at = new Map<string, string>();
  for (const line of r.stdout.split("\n")) {
    const m = /^--(socket|host|port)=(.*)$/.exec(line);
    if (m) at.set(m[1], line);
  }
  return [...at.values()];
}

/** A quoted identifier: `name` with backticks doubled. */
export const ident = (s: string) => `\`${s.replace(/`/g, "``")}\``;

/** Runs SQL through the mysql client (on stdin); resolves with tab-separated rows. */
export async function mysqlQuery(sys: System, conn: string[], sql: string): Promise<string[][]> {
  const r = await sys.run(["mysql", ...conn, "--batch", "--skip-column-names", "--raw"], { input: sql });
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
