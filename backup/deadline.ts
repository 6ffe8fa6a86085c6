// The run's overall time limit (timeouts.run). The work stops a little before the limit, which
// leaves a reserve for what must still happen: abort the upload in flight, write the manifest of
// what was done, report. So a run ends within its limit, whatever stalled.
import type { System } from "./system.js";

export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly end: number;
  /** Milliseconds kept for clean-up and the manifest after the work is stopped. */
  readonly reserveMs: number;

  constructor(
    private readonly sys: System,
    readonly seconds: number,
  ) {
    const total = seconds * 1000;
    this.reserveMs = Math.min(60_000, total / 10);
    this.end = sys.clock() + total;
    this.timer = setTimeout(
      () => this.controller.abort(`stopped at the run's deadline (timeouts.run = ${seconds} s)`),
      total - this.reserveMs,
    );
  }

  /** Aborted, with a sentence as its reason, when the work must stop. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Seconds until the run's hard end. */
  secondsLeft(): number {
    return Math.max(0, (this.end - this.sys.clock()) / 1000);
  }

  /** A signal aborted at the run's hard end, for the last requests (abort, manifest). */
  hardEnd(): AbortSignal {
    return AbortSignal.timeout(Math.max(1, Math.floor(this.end - this.sys.clock())));
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
