// Where the job reports: one line per object and a summary on stdout, failures on stderr (cron
// mails them), and the same lines to syslog through `logger` when a syslog socket exists.
// Lines reach logger on its stdin, not its argv, so nothing shows in `ps`.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";

const TAG = "s3-backup";

export class JobLog {
  private readonly syslog = new Map<string, ChildProcess>();
  private readonly useSyslog: boolean;
  /** Someone watches at a terminal: details are shown, not only kept in syslog. */
  readonly interactive: boolean;

  constructor(opts: { syslog?: boolean; interactive?: boolean } = {}) {
    this.useSyslog = opts.syslog ?? (existsSync("/dev/log") && process.env.S3_BACKUP_NO_SYSLOG !== "1");
    this.interactive = opts.interactive ?? Boolean(process.stdout.isTTY || process.stderr.isTTY);
  }

  /** A line of detail (each object stored): syslog always, stdout only at a terminal, so cron mails stay short. */
  detail(line: string): void {
    if (this.interactive) process.stdout.write(`${line}\n`);
    this.toSyslog("user.info", line);
  }

  info(line: string): void {
    process.stdout.write(`${line}\n`);
    this.toSyslog("user.info", line);
  }

  error(line: string): void {
    process.stderr.write(`${line}\n`);
    this.toSyslog("user.err", line);
  }

  private toSyslog(priority: string, line: string): void {
    if (!this.useSyslog) return;
    let p = this.syslog.get(priority);
    if (!p) {
      p = spawn("logger", ["-t", TAG, "--id", String(process.pid), "-p", priority], {
        stdio: ["pipe", "ignore", "ignore"],
      });
      p.on("error", () => {
        /* no logger: stdout/stderr still have it */
      });
      p.stdin?.on("error", () => {
        /* logger gone */
      });
      this.syslog.set(priority, p);
    }
    p.stdin?.write(`${line}\n`);
  }

  /** Flushes syslog writers; call before exiting. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.syslog.values()].map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || !p.stdin) return resolve();
            p.once("close", () => resolve());
            p.stdin.end();
          }),
      ),
    );
  }
}

/** Bytes in a human unit, e.g. "12.3 MiB". */
export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
