// Log lines on stderr, filtered by level, with every known secret scrubbed.
import { flushReport } from "./report-out.js";
import { redactor } from "./secrets.js";

export const LEVELS = ["debug", "info", "warn", "error"] as const;
export type Level = (typeof LEVELS)[number];

let threshold: Level = "warn";

export function setLevel(level: Level): void {
  threshold = level;
}

export function log(level: Level, message: string): void {
  if (LEVELS.indexOf(level) < LEVELS.indexOf(threshold)) return;
  toStderr(`converge: ${level}: ${message}\n`);
}

/** Writes to stderr, scrubbed, after the report queued so far (report-out.ts). */
export function toStderr(text: string): void {
  flushReport();
  process.stderr.write(redactor.scrub(text));
}
