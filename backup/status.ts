// `s3-backup status`: for every host and backup in the bucket, the last run and the last complete
// one, judged fresh or not. It reads manifests only, trusted the way restore trusts them
// (backup/trust.ts), and lists only the day folders of a recent window, newest first: day folders
// come from one delimited listing, so a bucket of years of backups costs a request or two more,
// not a listing of every object in it.
import { paginateListObjectsV2, type S3Client } from "@aws-sdk/client-s3";
import { manifestsUnder, trustedManifests, type Where } from "./catalog.js";
import { maskKeys, utcDay } from "./keys.js";
import type { Manifest } from "./manifest.js";
import type { ManifestRef } from "./trust.js";

const DAY_MS = 86_400_000;
/**
 * How far back runs are looked for, at least: longer than a month, so a host that stopped (retired,
 * cron gone) stays on the list as stale for weeks, whatever the daily retention.
 */
export const LOOKBACK_DAYS = 35;

export interface StatusQuery {
  host?: string;
  backup?: string;
  /** The age beyond which a last complete run is stale; none: ages are shown, not judged. */
  maxAgeMs?: number;
  /** Per-backup maximum ages, keyed "NAME" or "HOST/NAME" (the more specific wins). */
  maxAgeFor?: ReadonlyMap<string, number>;
  now: Date;
  /** Keys per listing request (S3's default and maximum is 1000). */
  pageSize?: number;
}

export type BackupState = "ok" | "stale" | "failed" | "suspect";

/** One run as its manifest and S3 describe it. */
export interface RunSummary {
  /** When S3 received the manifest: the one time the job's key cannot choose. */
  receivedAt: Date;
  cls: Manifest["class"];
  complete: boolean;
  /** Objects completed, and their bytes as stored. */
  objects: number;
  bytes: number;
  failed: { name: string; error: string }[];
}

export interface BackupStatus {
  host: string;
  backup: string;
  /** The worst of what is wrong (suspect, failed, stale), or ok. */
  state: BackupState;
  /** Each thing wrong, one phrase each; empty when ok. */
  problems: string[];
  maxAgeMs?: number;
  lastRun?: RunSummary;
  lastComplete?: RunSummary;
  /** now minus lastComplete.receivedAt. */
  ageMs?: number;
  /** Why manifests of this backup were not trusted (keys masked). */
  suspects: string[];
}

/** The status of every backup the query selects, sorted by host then backup. */
export async function collectStatus(client: S3Client, where: Where, q: StatusQuery): Promise<BackupStatus[]> {
  const since = windowStart(q);
  const refs = await recentManifests(client, where, q, since);
  const pairs = new Map<string, ManifestRef[]>();
  for (const r of refs) {
    const k = `${r.host}/${r.backup}`;
    pairs.set(k, [...(pairs.get(k) ?? []), r]);
  }
  const out: BackupStatus[] = [];
  for (const [k, list] of [...pairs].sort(([a], [b]) => a.localeCompare(b))) {
    const [host, backup] = [list[0].host, list[0].backup];
    out.push(await judge(client, where, list, { host, backup, maxAgeMs: maxAgeOf(q, k, backup), now: q.now, since }));
  }
  return out;
}

function maxAgeOf(q: StatusQuery, hostAndBackup: string, backup: string): number | undefined {
  return q.maxAgeFor?.get(hostAndBackup) ?? q.maxAgeFor?.get(backup) ?? q.maxAgeMs;
}

/** The first day of the window: LOOKBACK_DAYS back, or twice the longest max age if that is more. */
export function windowStart(q: StatusQuery): string {
  const ages = [q.maxAgeMs ?? 0, ...(q.maxAgeFor?.values() ?? [])];
  const back = Math.max(LOOKBACK_DAYS * DAY_MS, 2 * Math.max(...ages));
  return utcDay(new Date(q.now.getTime() - back));
}

/**
 * The manifests keyed in the window, as listed (future days included: a planted run dated 2099
 * must be seen to be flagged). With --host (and --name) each day's listing is narrowed to that
 * host's folder (and that backup's key prefix).
 */
async function recentManifests(client: S3Client, where: Where, q: StatusQuery, since: string): Promise<ManifestRef[]> {
  const narrow = q.host ? `${q.host}/${q.backup ? `${q.backup}--` : ""}` : "";
  const refs: ManifestRef[] = [];
  for (const cls of ["daily", "monthly"]) {
    for (const folder of await dayFolders(client, where, `${where.prefix}${cls}/`, since, q.pageSize)) {
      refs.push(...(await manifestsUnder(client, where, `${folder}${narrow}`, q.pageSize)));
    }
  }
  return refs.filter((r) => (!q.host || r.host === q.host) && (!q.backup || r.backup === q.backup));
}

/** The day folders (BASE/YYYY-MM-DD/) from `since` on, from a listing that stops at each "/". */
async function dayFolders(
  client: S3Client,
  where: Where,
  base: string,
  since: string,
  pageSize?: number,
): Promise<string[]> {
  const folders: string[] = [];
  const pages = paginateListObjectsV2(
    { client, pageSize },
    { Bucket: where.bucket, Prefix: base, Delimiter: "/", StartAfter: `${base}${since}` },
  );
  for await (const page of pages) {
    for (const p of page.CommonPrefixes ?? []) {
      if (p.Prefix && /^\d{4}-\d{2}-\d{2}\/$/.test(p.Prefix.slice(base.length))) folders.push(p.Prefix);
    }
  }
  return folders;
}

/** Reads this backup's trusted manifests newest first, down to its last complete run, and judges it. */
async function judge(
  client: S3Client,
  where: Where,
  refs: ManifestRef[],
  j: { host: string; backup: string; maxAgeMs?: number; now: Date; since: string },
): Promise<BackupStatus> {
  const { host, backup, maxAgeMs, now } = j;
  const suspects: string[] = [];
  const warn = (m: string) => suspects.push(maskKeys(m.replace(/^skipping suspect manifest /, "")));
  let lastRun: RunSummary | undefined;
  let lastComplete: RunSummary | undefined;
  for await (const { ref, manifest } of trustedManifests(client, where, refs, { backup, host }, warn)) {
    const run = summarize(ref, manifest);
    lastRun ??= run;
    if (run.complete) {
      lastComplete = run;
      break;
    }
  }
  const ageMs = lastComplete ? now.getTime() - lastComplete.receivedAt.getTime() : undefined;
  const problems: string[] = [];
  let state: BackupState = "ok";
  const worse = (s: BackupState, why: string) => {
    problems.push(why);
    if (RANK[s] > RANK[state]) state = s;
  };
  for (const s of suspects) worse("suspect", `suspect manifest ${s}`);
  if (!lastRun) worse("suspect", "no trusted run");
  else if (!lastRun.complete)
    worse("failed", `last run failed: ${lastRun.failed.map((f) => f.name).join(", ") || "incomplete"}`);
  if (lastRun && !lastComplete) worse("stale", `no complete run keyed ${j.since} or later`);
  else if (maxAgeMs !== undefined && ageMs !== undefined && ageMs > maxAgeMs)
    worse("stale", `last complete run is older than ${formatDuration(maxAgeMs)}`);
  return { host, backup, state, problems, maxAgeMs, lastRun, lastComplete, ageMs, suspects };
}

const RANK: Record<BackupState, number> = { ok: 0, stale: 1, failed: 2, suspect: 3 };

function summarize(ref: ManifestRef, m: Manifest): RunSummary {
  const done = m.objects.filter((o) => o.ok && o.key);
  return {
    receivedAt: ref.lastModified,
    cls: m.class,
    complete: m.complete && m.objects.every((o) => o.ok),
    objects: done.length,
    bytes: done.reduce((n, o) => n + (o.bytes ?? 0), 0),
    failed: m.objects.filter((o) => !o.ok).map((o) => ({ name: o.name, error: o.error ?? "failed" })),
  };
}

/** "26h", "90m", "1d12h", "2w": a duration in milliseconds, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+[smhdw])+$/.test(text)) return undefined;
  const unit: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: DAY_MS, w: 7 * DAY_MS };
  let ms = 0;
  for (const [, n, u] of text.matchAll(/(\d+)([smhdw])/g)) ms += Number(n) * unit[u];
  return ms > 0 ? ms : undefined;
}

/** A duration as people read it: "3d 4h", "26h", "12m", "40s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 2 * 86400) return `${Math.floor(s / 3600)}h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)}m` : ""}`;
  return `${Math.floor(s / 86400)}d${s % 86400 >= 3600 ? ` ${Math.floor((s % 86400) / 3600)}h` : ""}`;
}
