// Where the job reports: one line per object and a summary on stdout, warnings and failures on
// stderr (cron mails them), and every one of those lines to syslog through `logger`, tagged
// s3-backup[PID] with its priority (info, warning, err), when a syslog socket exists. Lines reach
// logger on its stdin, not its argv, so nothing shows in `ps`. Object keys are masked
// (backup/keys.ts maskKeys): a log is readable on the host the backups must be safe from.
import type { ChildProcess } from "node:child_process";
import { maskKeys } from "./keys.js";
import type { System } from "./system.js";

const TAG = "s3-backup";
/** How long close() waits for logger to hand its lines to syslog: a stuck syslog must not hold the run. */
const FLUSH_MS = 3000;

type Priority = "user.info" | "user.warning" | "user.err";

export class JobLog {
  private readonly syslog = new Map<Priority, ChildProcess>();
  private readonly useSyslog: boolean;
  /** Someone watches at a terminal: details are shown, not only kept in syslog. */
  readonly interactive: boolean;

  constructor(
    private readonly sys: System,
    opts: { syslog?: boolean; interactive?: boolean } = {},
  ) {
    this.useSyslog =
      opts.syslog ??
      (sys.fs.statSync("/dev/log", { throwIfNoEntry: false }) !== undefined && process.env.S3_BACKUP_NO_SYSLOG !== "1");
    this.interactive = opts.interactive ?? Boolean(process.stdout.isTTY || process.stderr.isTTY);
  }

  /** A line of detail (each object stored): syslog always, stdout only at a terminal, so cron mails stay short. */
  detail(raw: string): void {
    const line = maskKeys(raw);
    if (this.interactive) process.stdout.write(`${line}\n`);
    this.toSyslog("user.info", line);
  }

  // Every line is masked here, the one door out, so no caller can leak a key's random part.
  info(raw: string): void {
    const line = maskKeys(raw);
    process.stdout.write(`${line}\n`);
    this.toSyslog("user.info", line);
  }

  warn(raw: string): void {
    const line = maskKeys(raw);
    process.stderr.write(`${line}\n`);
    this.toSyslog("user.warning", line);
  }

  error(raw: string): void {
    const line = maskKeys(raw);
    process.stderr.write(`${line}\n`);
    this.toSyslog("user.err", line);
  }

  private toSyslog(priority: Priority, line: string): void {
    if (!this.useSyslog) return;
    let p = this.syslog.get(priority);
    if (!p) {
      // --id=PID: with a space, logger takes the pid as the message and ignores its stdin.
      p = this.sys.spawn(["logger", "-t", TAG, `--id=${this.sys.pid}`, "-p", priority], { stdin: "pipe" });
      p.stdout?.resume();
      p.stderr?.resume();
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

  /** Flushes syslog writers (at most a few seconds); call before exiting. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.syslog.values()].map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null || !p.stdin) return resolve();
            const timer = setTimeout(() => {
              p.kill("SIGKILL");
              resolve();
            }, FLUSH_MS);
            p.once("close", () => {
              clearTimeout(timer);
              resolve();
            });
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
