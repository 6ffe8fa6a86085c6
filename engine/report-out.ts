// The report on stdout, written one event-loop turn at a time. A converge reports each resource
// as it ends, and a no-op ends hundreds within a few turns: a write per line was a system call,
// and a wake-up of whoever reads the pipe (cron, a CI runner), per resource. Whatever goes to
// stderr flushes this first (log.ts), so the two streams still read in the order they were made.
import { redactor } from "./secrets.js";

let pending = "";

/** Queues text for stdout, scrubbed of every known secret; written by the end of this turn. */
export function report(text: string): void {
  if (!pending) setImmediate(flushReport);
  pending += redactor.scrub(text);
}

/** Writes what is queued now: before anything goes to stderr, and before the command returns. */
export function flushReport(): void {
  if (!pending) return;
  const text = pending;
  pending = "";
  process.stdout.write(text);
}
