// The set-up the one-off converge tools share (bench/ab-noop.ts, bench/profile-noop.ts): a private
// MariaDB and an s3rver, n s3_mysql_backups converged once in a sandbox, then the tool's own runs
// on it, and everything stopped whatever they do.
import { secretsEnv } from "../spec/support/backup-run-list.js";
import { sqlAsRoot, startMariaDb } from "../spec/support/mariadb.js";
import { CONVERGE, firstConverge, type Prepared } from "./converge.js";
import { mysqlBackupsRunList } from "./run-lists.js";
import { startEndpoint } from "./services.js";

/** Runs `use` on n backups converged once (a no-op from then on), with the secrets they read. */
export async function withBackupsConverged(
  n: number,
  use: (p: Prepared, env: Record<string, string>) => Promise<void>,
): Promise<void> {
  // As bench/main.ts: converge is started as cron starts it, without the CA bundle to parse.
  delete process.env.NODE_EXTRA_CA_CERTS;
  const db = await startMariaDb();
  const s3 = await startEndpoint("s3rver", ["bench"]);
  try {
    sqlAsRoot(db.info.socket, "CREATE DATABASE bench_shop");
    const env = secretsEnv(s3.info);
    const doc = mysqlBackupsRunList(n, { socket: db.info.socket, s3: s3.info, bucket: "bench" });
    const p = await firstConverge({ label: `s3_mysql_backup x ${n}`, primitives: 8 * n, doc, env }, 600);
    try {
      if (p.notReady) {
        const r = await p.sb.exec([process.execPath, CONVERGE, p.runList], { env });
        throw new Error(`first converge: ${p.notReady}\n${r.stdout}\n${r.stderr}`);
      }
      await use(p, env);
    } finally {
      await p.sb.destroy();
    }
  } finally {
    await s3.stop();
    await db.stop();
  }
}
