// The converge and cron tables, as Markdown, from the figures of one run.
import type { ConvergeFigures } from "./converge.js";
import type { CronScaleRow } from "./cron-scale.js";
import { ratio, secs, secsRange, table } from "./stats.js";

/** No-op and why-run medians (min-max) per run-list, each as a ratio to `node -e 0` in the same run. */
export function convergeTable(f: ConvergeFigures): string {
  const floor = f.floor.median;
  const rows = f.rows.map((r) =>
    r.notReady
      ? [r.label, String(r.primitives), `${secs(r.firstS)} (${r.notReady})`, "not measured", "", "not measured", ""]
      : [
          r.label,
          String(r.primitives),
          secs(r.firstS),
          secsRange(r.noop),
          ratio(r.noop.median, floor),
          secsRange(r.whyRun),
          ratio(r.whyRun.median, floor),
        ],
  );
  return table(
    ["run-list", "primitives", "first converge", "no-op", "/ floor", "why-run, no-op", "/ floor"],
    [
      ["`node -e 0` (the floor)", "", "", secsRange(f.floor), "1.00x", "", ""],
      ...f.bounds.map((b) => [b.label, "", "", secsRange(b.seconds), ratio(b.seconds.median, floor), "", ""]),
      ...rows,
    ],
  );
}

/** First converge of N cron entries in one crontab: per-entry cost, and its growth against the smallest size. */
export function cronTable(rows: CronScaleRow[]): string {
  const base = rows[0]?.perEntryMs ?? NaN;
  return table(
    ["entries", "first converge", "installed", "per entry", `per entry / at ${rows[0]?.entries ?? "-"}`],
    rows.map((r) => [
      String(r.entries),
      r.capped ? `stopped at the cap, ${secs(r.seconds)}` : secs(r.seconds),
      r.capped ? `${r.installed} installed after the cap` : String(r.installed),
      `${r.perEntryMs.toFixed(1)} ms`,
      ratio(r.perEntryMs, base),
    ]),
  );
}
