// A private MariaDB server for one test run (TESTING.md recipe), and a helper to run SQL as root.
// Root logs in over the socket by unix_socket auth, so tests need no password anywhere.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface MariaDbInfo {
  /** Unix socket of the server; OS root connects as database root without a password. */
  socket: string;
}

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Starts a fresh server in a temp dir; resolves once it answers ping. */
export async function startMariaDb(): Promise<{
  info: MariaDbInfo;
  stop: () => Promise<void>;
  /** SIGKILL, as a crash would; stop() still removes the directory afterwards. */
  kill: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), "mariadb-"));
  // 0755 so other users (a backup user in a test) can reach the socket.
  chmodSync(dir, 0o755);
  const mysqlUid = Number(run("id", ["-u", "mysql"]).trim());
  const mysqlGid = Number(run("id", ["-g", "mysql"]).trim());
  chownSync(dir, mysqlUid, mysqlGid);
  // A private tmpdir: servers of concurrent runs sharing /tmp have clashed over temporary tables.
  const tmp = join(dir, "tmp");
  mkdirSync(tmp, { mode: 0o700 });
  chownSync(tmp, mysqlUid, mysqlGid);
  run("mariadb-install-db", [
    "--no-defaults",
    "--user=mysql",
    `--datadir=${dir}/data`,
    `--tmpdir=${tmp}`,
    "--auth-root-authentication-method=socket",
    "--skip-test-db",
  ]);
  const socket = join(dir, "mysqld.sock");
  const child = spawn(
    "/usr/sbin/mariadbd",
    [
      "--no-defaults",
      "--user=mysql",
      `--datadir=${dir}/data`,
      `--tmpdir=${tmp}`,
      `--socket=${socket}`,
      "--skip-networking",
      `--pid-file=${dir}/mysqld.pid`,
      `--log-error=${dir}/err.log`,
    ],
    { stdio: "ignore", detached: false },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; ; i++) {
    const ping = spawnSync("mysqladmin", ["--no-defaults", "-S", socket, "-uroot", "ping"], { encoding: "utf8" });
    if (ping.status === 0) break;
    if (child.exitCode !== null || i > 300) {
      let log = "";
      try {
        log = readFileSync(join(dir, "err.log"), "utf8");
      } catch {
        /* none */
      }
      child.kill("SIGKILL");
      throw new Error(`MariaDB did not start: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    info: { socket },
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Runs SQL as database root over the socket; returns rows as arrays of strings (tab-split, no header). */
export function sqlAsRoot(socket: string, sql: string, database?: string): string[][] {
  const args = ["--no-defaults", "-S", socket, "-uroot", "--batch", "--skip-column-names", "--raw"];
  if (database) args.push(database);
  const out = run("mariadb", args, sql);
  return out
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => l.split("\t"));
}
