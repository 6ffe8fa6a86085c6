// The `mysql` client as used by restore and verify (operator side): how it connects, and running
// a statement. Credentials come from a defaults file or the operator's own ~/.my.cnf; only the
// server location is taken from the job's .my.cnf, never its user or password.
import { spawn } from "node:child_process";
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
export function mysqlQuery(conn: string[], sql: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const child = spawn("mysql", [...conn, "--batch", "--skip-column-names", "--raw"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    child.once("error", reject);
    // A client that exits without reading (bad login, wrong program) is reported by its exit code.
    child.stdin.on("error", () => undefined);
    child.once("close", (code) => {
      // On an error the client also echoes the statement between dashed lines: keep the ERROR lines.
      const lines = err.split("\n").filter((l) => l.trim() !== "");
      const errors = lines.filter((l) => l.startsWith("ERROR"));
      if (code !== 0) return reject(new Error(`mysql exited ${code}: ${(errors.length ? errors : lines).join(" | ")}`));
      resolve(
        out
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => l.split("\t")),
      );
    });
    child.stdin.end(sql);
  });
}
