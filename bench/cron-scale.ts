// The first converge of many cron entries in one crontab: a linear engine costs the same per entry
// at 50 and at 2,000; one that rewrites the whole crontab for every entry costs more per entry the
// longer the crontab grows. Each size runs under a cap and reports how many entries it installed.
import { primitivesRunList, type Targets } from "./run-lists.js";
import { cronBlocks, firstConverge, type Prepared } from "./converge.js";

export interface CronScaleRow {
  entries: number;
  /** Seconds the first converge ran (the cap when it was stopped there). */
  seconds: number;
  /** Entries in the crontab afterwards. */
  installed: number;
  capped: boolean;
  /** Milliseconds per installed entry. */
  perEntryMs: number;
}

/** Converges `sizes` cron entries, each in a fresh sandbox; the prepared sandboxes are handed back for reuse. */
export async function cronScale(
  sizes: number[],
  capS: number,
  t: Targets,
  env: Record<string, string>,
): Promise<{ rows: CronScaleRow[]; prepared: Prepared[] }> {
  const rows: CronScaleRow[] = [];
  const prepared: Prepared[] = [];
  for (const n of sizes) {
    const p = await firstConverge(
      { label: `cron_entry x ${n}`, primitives: n, doc: primitivesRunList("cron_entry", n, t), env },
      capS,
    );
    const installed = await cronBlocks(p.sb);
    const capped = p.notReady?.startsWith("capped") ?? false;
    if (p.notReady && !capped) throw new Error(`cron scale, ${n} entries: ${p.notReady}`);
    rows.push({ entries: n, seconds: p.firstS, installed, capped, perEntryMs: (p.firstS * 1000) / installed });
    prepared.push(p);
    console.error(`  cron ${n}: ${installed} installed in ${p.firstS.toFixed(1)} s${capped ? " (capped)" : ""}`);
  }
  return { rows, prepared };
}
