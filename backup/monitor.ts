// The signals a run leaves for whoever watches it: a check-in ping when it starts, and when it
// ends the textfile metrics and a success or fail ping with its summary. None of them can change
// the run's outcome: a metrics file that cannot be written or a ping that cannot be delivered is
// reported as a warning, and the backup's exit code stays what the backup made it.
import type { BackupConfig } from "./config.js";
import { PING_DEFAULTS, sendPing, type PingKind, type PingOptions } from "./healthcheck.js";
import { metricsPath } from "../contract/names.js";
import { maskKeys } from "./keys.js";
import type { JobLog } from "./log.js";
import { renderMetrics } from "./metrics.js";
import type { RunRecord } from "./run-record.js";
import { lastSuccess, recordSuccess } from "./state.js";
import { writeFileAtomic, type System } from "./system.js";

export class RunMonitor {
  private startPing: Promise<void> = Promise.resolve();
  private readonly tag: string;

  constructor(
    private readonly sys: System,
    private readonly cfg: BackupConfig,
    private readonly log: JobLog,
    private readonly pingOptions: PingOptions = PING_DEFAULTS,
  ) {
    this.tag = `s3-backup ${cfg.name}`;
  }

  /** The run has begun: the start ping goes out while the backup proceeds. */
  started(): void {
    this.startPing = this.ping("start");
  }

  /** The run has ended as `r` says: metrics, then the success or fail ping (after the start ping). */
  async finished(r: RunRecord): Promise<void> {
    try {
      if (r.ok) recordSuccess(this.sys, this.cfg.state_dir, this.cfg.name, r.finished);
    } catch (err) {
      this.log.warn(`${this.tag}: warning: cannot record the success: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    this.writeMetrics(r);
    await this.startPing;
    await this.ping(r.ok ? "success" : "fail", maskKeys(r.summary));
  }

  /** The run stopped on an error before it could account for its items. */
  crashed(started: Date, err: unknown): Promise<void> {
    const finished = this.sys.now();
    return this.finished({
      backup: this.cfg.name,
      host: this.cfg.host,
      started,
      finished,
      durationMs: finished.getTime() - started.getTime(),
      ok: false,
      items: [],
      summary: `${this.tag}: FAILED: ${(err as Error).message}`,
    });
  }

  private writeMetrics(r: RunRecord): void {
    const dir = this.cfg.metrics?.textfile_dir;
    if (!dir) return;
    const path = metricsPath(dir, this.cfg.name);
    try {
      // Readable by all, so node_exporter's user can read it; the temporary name is not *.prom,
      // which node_exporter ignores.
      const text = renderMetrics(r, lastSuccess(this.sys, this.cfg.state_dir, this.cfg.name));
      writeFileAtomic(this.sys, path, text, 0o644);
    } catch (err) {
      this.log.warn(
        `${this.tag}: warning: cannot write metrics ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
  }

  private async ping(kind: PingKind, body = ""): Promise<void> {
    if (!this.cfg.healthcheck) return;
    const why = await sendPing(this.cfg.healthcheck, kind, body, this.pingOptions);
    if (why) this.log.warn(`${this.tag}: warning: healthcheck ${kind} ping not delivered: ${why}`);
  }
}
