// `s3-backup run`: every asset in turn, one streaming pass each, then the manifest. Exit 0 only
// when every object and the manifest are in the bucket.
import type { S3Client } from "@aws-sdk/client-s3";
import { EXIT } from "../engine/errors.js";
import { jobS3Client } from "../providers/s3/client.js";
import { describeS3Error } from "../providers/s3/errors.js";
import { planAssets, type Asset } from "./assets.js";
import { compressor, EXTENSION } from "./compression.js";
import { runRequirements, type BackupConfig } from "./config.js";
import { keySafeName, MANIFEST_EXT, objectKey, utcMonth, type BackupClass } from "./keys.js";
import { acquireLock, LockBusy } from "./lock.js";
import { humanBytes, JobLog } from "./log.js";
import { exitsOf, MANIFEST_FORMAT, writeManifest, type Manifest, type ManifestEntry } from "./manifest.js";
import { RunMonitor } from "./monitor.js";
import { itemsOf } from "./run-record.js";
import { Progress, progressTerminal } from "./progress.js";
import { lastMonthly, recordMonthly } from "./state.js";
import { streamObject } from "./upload.js";

export interface RunOptions {
  now?: Date;
  client?: S3Client;
  log?: JobLog;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs the backup described by `cfg`; returns the exit code. */
export async function runBackup(cfg: BackupConfig, opts: RunOptions = {}): Promise<number> {
  // Before the lock and the log: a config without the job's keys is bad input (exit 2), not a failed run.
  const creds = runRequirements(cfg);
  const client = opts.client ?? jobS3Client(cfg.s3, creds);
  const log = opts.log ?? new JobLog();
  const tag = `s3-backup ${cfg.name}`;
  let release: () => void;
  try {
    release = acquireLock(cfg.state_dir, cfg.name);
  } catch (err) {
    if (!(err instanceof LockBusy)) throw err;
    log.error(`${tag}: ${err.message}`);
    await log.close();
    return EXIT.failed;
  }
  let stopping = "";
  let current: { kill(): void } | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    stopping = `stopped by ${sig}`;
    current?.kill();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  const monitor = new RunMonitor(cfg, log);
  monitor.started();
  const started = opts.now ?? new Date();
  try {
    return await runLocked(
      cfg,
      client,
      started,
      log,
      tag,
      () => stopping,
      (c) => {
        current = c;
      },
      monitor,
    );
  } catch (err) {
    await monitor.crashed(started, err);
    throw err;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    release();
    await log.close();
  }
}

async function runLocked(
  cfg: BackupConfig,
  client: S3Client,
  started: Date,
  log: JobLog,
  tag: string,
  stopping: () => string,
  setCurrent: (c: { kill(): void } | undefined) => void,
  monitor: RunMonitor,
): Promise<number> {
  const t0 = Date.now();
  const cls: BackupClass = lastMonthly(cfg.state_dir, cfg.name) === utcMonth(started) ? "daily" : "monthly";
  const plan = await planAssets(cfg);
  const progress = new Progress(log.interactive ? progressTerminal() : undefined);
  for (const w of plan.warnings) log.error(`${tag}: warning: ${w}`);

  const entries: ManifestEntry[] = [];
  const failures: string[] = plan.unresolved.map((u) => `${u.source}: ${u.message}`);
  for (const u of plan.unresolved) log.error(`${tag}: FAILED ${u.source}: ${u.message}`);
  let permanent = "";

  for (const asset of plan.assets) {
    const skip = permanent || stopping();
    if (skip) {
      failures.push(`${asset.name}: not attempted (${skip})`);
      log.error(`${tag}: FAILED ${asset.name} (${asset.source}): not attempted: ${skip}`);
      entries.push(notAttempted(asset, cfg, skip));
      continue;
    }
    const { entry, permanent: isPermanent } = await backupOne(asset, cfg, client, cls, started, setCurrent, progress);
    entries.push(entry);
    if (entry.ok) {
      log.detail(
        `${tag}: ok ${asset.name} (${asset.source}) -> s3://${cfg.s3.bucket}/${entry.key} ` +
          `${humanBytes(entry.bytes ?? 0)} sha256=${entry.sha256} in ${secs(entry.duration_ms)}`,
      );
    } else {
      failures.push(`${asset.name}: ${entry.error}`);
      log.error(`${tag}: FAILED ${asset.name} (${asset.source}): ${entry.error}; upload aborted, no object written`);
      // The same error would meet every other asset: stop instead of hammering the endpoint.
      if (isPermanent) permanent = entry.error ?? "S3 error";
    }
  }

  let manifestKey = "";
  if (!permanent) {
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      backup: cfg.name,
      host: cfg.host,
      class: cls,
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      duration_ms: Date.now() - t0,
      complete: failures.length === 0,
      objects: entries,
    };
    manifestKey = objectKey({
      prefix: cfg.s3.prefix,
      cls,
      date: started,
      host: cfg.host,
      name: cfg.name,
      ext: MANIFEST_EXT,
    });
    try {
      await writeManifest(client, cfg.s3.bucket, manifestKey, manifest);
    } catch (err) {
      const d = describeS3Error(err, cfg.s3.bucket);
      failures.push(`manifest: ${d.message}`);
      log.error(`${tag}: FAILED manifest: ${d.message}`);
      manifestKey = "";
    }
  }

  const okCount = entries.filter((e) => e.ok).length;
  const total = entries.length + plan.unresolved.length;
  const bytes = entries.reduce((n, e) => n + (e.bytes ?? 0), 0);
  const ok = failures.length === 0;
  if (ok && cls === "monthly") recordMonthly(cfg.state_dir, cfg.name, utcMonth(started));
  const summary = ok
    ? `${tag}: ${okCount}/${total} objects backed up (${cls}), ${humanBytes(bytes)} in ${secs(Date.now() - t0)}; ` +
      `manifest s3://${cfg.s3.bucket}/${manifestKey}`
    : `${tag}: FAILED (${cls}): ${okCount}/${total} objects backed up; failed: ${failures.join("; ")}`;
  if (ok) log.info(summary);
  else log.error(summary);
  if (!ok && manifestKey)
    log.info(`${tag}: ${okCount}/${total} objects backed up; manifest s3://${cfg.s3.bucket}/${manifestKey}`);
  const unplanned = plan.unresolved.map((u) => ({ name: keySafeName(u.source), kind: "mysql" as const }));
  const finished = new Date();
  await monitor.finished({
    backup: cfg.name,
    host: cfg.host,
    started,
    finished,
    durationMs: Date.now() - t0,
    ok,
    items: itemsOf(entries, unplanned),
    summary,
  });
  return ok ? 0 : EXIT.failed;
}

function notAttempted(asset: Asset, cfg: BackupConfig, why: string): ManifestEntry {
  return {
    name: asset.name,
    kind: asset.kind,
    source: asset.source,
    ok: false,
    compression: cfg.compression,
    exits: [],
    duration_ms: 0,
    error: `not attempted: ${why}`,
  };
}

async function backupOne(
  asset: Asset,
  cfg: BackupConfig,
  client: S3Client,
  cls: BackupClass,
  date: Date,
  setCurrent: (c: { kill(): void } | undefined) => void,
  progress: Progress,
): Promise<{ entry: ManifestEntry; permanent: boolean }> {
  const t = Date.now();
  const key = objectKey({
    prefix: cfg.s3.prefix,
    cls,
    date,
    host: cfg.host,
    name: asset.name,
    ext: `${asset.format}${EXTENSION[cfg.compression]}`,
  });
  const expected = await asset.expectedBytes();
  const producer = asset.start();
  const comp = compressor(cfg.compression);
  setCurrent(producer);
  const out = await streamObject({
    client,
    bucket: cfg.s3.bucket,
    key,
    producer,
    compression: comp,
    expectedBytes: expected,
    onStream: (gauges) => progress.begin(asset.name, gauges, expected),
  });
  progress.end();
  setCurrent(undefined);
  const base = {
    name: asset.name,
    kind: asset.kind,
    source: asset.source,
    compression: cfg.compression,
    exits: exitsOf(out.ends),
    duration_ms: Date.now() - t,
  };
  if (out.ok)
    return { entry: { ...base, ok: true, key: out.key, bytes: out.bytes, sha256: out.sha256 }, permanent: false };
  return { entry: { ...base, ok: false, error: out.error }, permanent: out.permanent };
}
