// What one run of the job did, as the signals after it (metrics, check-in pings) need it: when,
// how long, whether it succeeded, and each item's outcome. Built once at the end of a run.
import type { AssetKind, ManifestEntry } from "./manifest.js";

export interface ItemRecord {
  /** The key-safe name (an asset's path with / as _, or the database spec). */
  name: string;
  kind: AssetKind;
  ok: boolean;
  /** Bytes stored in S3 (after compression); 0 when it failed. */
  bytes: number;
  durationMs: number;
}

export interface RunRecord {
  backup: string;
  host: string;
  started: Date;
  finished: Date;
  durationMs: number;
  ok: boolean;
  items: ItemRecord[];
  /** The run's closing line, as the job prints it (keys masked by the caller). */
  summary: string;
}

/** The items of a run: each manifest entry, and what could not even be planned (failed). */
export function itemsOf(
  entries: readonly ManifestEntry[],
  unplanned: readonly { name: string; kind: AssetKind }[],
): ItemRecord[] {
  return [
    ...entries.map((e) => ({
      name: e.name,
      kind: e.kind,
      ok: e.ok,
      bytes: e.ok ? (e.bytes ?? 0) : 0,
      durationMs: e.duration_ms,
    })),
    ...unplanned.map((u) => ({ name: u.name, kind: u.kind, ok: false, bytes: 0, durationMs: 0 })),
  ];
}
