// Medians with their range, ratios and Markdown tables: how every figure of the benchmarks is
// summed up and printed. A lone time on a shared machine says little, so each figure carries its
// min-max and is compared to a floor measured in the same run.
import { loadavg } from "node:os";

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** The median (the lower middle for an even count), min and max of some samples; NaN when none. */
export function summarize(xs: readonly number[]): Summary {
  if (xs.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)], min: s[0], max: s[s.length - 1], n: s.length };
}

/** Seconds to the millisecond below 1 s, then two decimals, one from 10 s: "0.024 s", "5.68 s", "18.7 s". */
const digits = (s: number) => (s < 10 ? s.toFixed(s < 1 ? 3 : 2) : s.toFixed(1));

export function secs(s: number): string {
  return Number.isFinite(s) ? `${digits(s)} s` : "-";
}

/** A summary of seconds as "median (min-max)". */
export function secsRange(x: Summary): string {
  if (x.n === 0) return "-";
  if (x.n === 1) return secs(x.median);
  const [lo, hi] = [x.min, x.max].map(digits);
  return `${secs(x.median)} (${lo}-${hi})`;
}

/** a / b as "2.5x"; "-" when either is missing. */
export function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return "-";
  return `${(a / b).toFixed(a / b < 10 ? 2 : 1)}x`;
}

export const MB = 1e6;
export const MiB = 2 ** 20;

/** Bytes as "612 MB" (decimal, as throughput is quoted). */
export function megabytes(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB` : "-";
}

/** A Markdown table: a header row, then the rows, cells as given. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The 1, 5 and 15 minute load averages now, e.g. "13.0 14.7 15.1": recorded beside every figure. */
export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
}
