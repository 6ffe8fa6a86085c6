// The steps of one run, under its lock (backup/run.ts): abort what an earlier run left, list
// what to back up, stream each asset, write the manifest, record the month, report.
import type { S3Client } from "@aws-sdk/client-s3";
import { EXIT } from "../engine/errors.js";
import { describeS3Error } from "../providers/s3/errors.js";
import { planAssets, type Asset } from "./assets.js";
import { compressing, EXTENSION } from "./compression.js";
import type { BackupConfig } from "./config.js";
import type { Deadline } from "./deadline.js";
import type { UploadJournal } from "./journal.js";
import { keySafeName } from "../contract/names.js";
import { MANIFEST_EXT, objectKey, utcMonth, type BackupClass } from "./keys.js";
import { humanBytes, type JobLog } from "./log.js";
import { exitsOf, MANIFEST_FORMAT, writeManifest, type Manifest, type ManifestEntry } from "./manifest.js";
import type { RunMonitor } from "./monitor.js";
import type { Progress } from "./progress.js";
import { itemsOf } from "./run-record.js";
import { lastMonthly, recordMonthly } from "./state.js";
import type { System } from "./system.js";
import { streamObject } from "./upload.js";
import { writeRules } from "./write-rules.js";

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What a run shares between its steps. */
export interface Run {
  sys: System;
  cfg: BackupConfig;
  client: S3Client;
  log: JobLog;
  tag: string;
  journal: UploadJournal;
  deadline: Deadline;
  /** Aborted by the deadline or a signal: stop the current asset and attempt no more. */
  stop: AbortSignal;
  /** Metrics and check-in pings (backup/monitor.ts). */
  monitor: RunMonitor;
  /** Each asset's progress, redrawn at a terminal. */
  progress: Progress;
}

/** Backs up every asset and writes the manifest; returns the exit code. */
export async function runLocked(run: Run, started: Date): Promise<number> {
  const { sys, cfg, log, tag } = run;
  const t0 = sys.clock();
  const failures: string[] = [];
  const leftOpen = reportLeftovers(run);
  const cls: BackupClass = lastMonthly(sys, cfg.state_dir, cfg.name) === utcMonth(started) ? "daily" : "monthly";
  const plan = await planAssets(sys, cfg, { connectSeconds: cfg.timeouts.connect, signal: run.stop });
  for (const w of plan.warnings) log.warn(`${tag}: warning: ${w}`);
  if (run.stop.aborted)
    log.error(`${tag}: ${String(run.stop.reason)} while the connect stage (listing databases) had not finished`);
  else if (plan.unreachable) log.error(`${tag}: cannot reach the database server: ${plan.unreachable}`);

  const entries: ManifestEntry[] = [];
  failures.push(...plan.unresolved.map((u) => `${u.source}: ${u.message}`));
  for (const u of plan.unresolved) log.error(`${tag}: FAILED ${u.source}: ${u.message}`);
  let permanent = "";

  for (const asset of plan.assets) {
    const skip =
      permanent ||
      (run.stop.aborted ? String(run.stop.reason) : "") ||
      (asset.kind === "mysql" && plan.unreachable ? `cannot reach the database server (${plan.unreachable})` : "");
    if (skip) {
      failures.push(`${asset.name}: not attempted (${skip})`);
      log.error(`${tag}: FAILED ${asset.name} (${asset.source}): not attempted: ${skip}`);
      entries.push(notAttempted(asset, cfg, skip));
      continue;
    }
    const { entry, permanent: isPermanent } = await backupOne(run, asset, cls, started);
    entries.push(entry);
    if (entry.ok) {
      log.detail(
        `${tag}: ok ${asset.name} (${asset.source}) -> s3://${cfg.s3.bucket}/${entry.key} ` +
          `${humanBytes(entry.bytes ?? 0)} sha256=${entry.sha256} in ${secs(entry.duration_ms)}`,
      );
      for (const c of entry.changed_files ?? [])
        log.warn(`${tag}: warning: ${asset.name}: ${c.path} ${c.note}; its copy may be torn (on_change: warn)`);
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
      finished_at: sys.now().toISOString(),
      duration_ms: Math.round(sys.clock() - t0),
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
      await writeManifest(
        run.client,
        cfg.s3.bucket,
        manifestKey,
        manifest,
        writeRules(cfg, cls, started),
        run.deadline.hardEnd(),
      );
    } catch (err) {
      const d = describeS3Error(err, cfg.s3.bucket);
      failures.push(`manifest: ${d.message}`);
      log.error(`${tag}: FAILED manifest: ${d.message}`);
      manifestKey = "";
    }
  }

  if (failures.length === 0 && cls === "monthly") {
    try {
      recordMonthly(sys, cfg.state_dir, cfg.name, utcMonth(started));
    } catch (err) {
      failures.push(`state: cannot record this month's monthly backup: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  }
  if (run.journal.problem)
    failures.push(`state: ${run.journal.problem}; an upload cut short now waits for the lifecycle rule`);
  const okCount = entries.filter((e) => e.ok).length;
  const total = entries.length + plan.unresolved.length;
  const bytes = entries.reduce((n, e) => n + (e.bytes ?? 0), 0);
  const ok = failures.length === 0;
  const summary = ok
    ? `${tag}: ${okCount}/${total} objects backed up (${cls}), ${humanBytes(bytes)} in ${secs(sys.clock() - t0)}; ` +
      `manifest s3://${cfg.s3.bucket}/${manifestKey}${leftOpen}`
    : `${tag}: FAILED (${cls}): ${okCount}/${total} objects backed up in ${secs(sys.clock() - t0)}; failed: ${failures.join("; ")}${leftOpen}`;
  if (ok) log.info(summary);
  else log.error(summary);
  if (!ok && manifestKey)
    log.info(`${tag}: ${okCount}/${total} objects backed up; manifest s3://${cfg.s3.bucket}/${manifestKey}`);
  const unplanned = plan.unresolved.map((u) => ({ name: keySafeName(u.source), kind: "mysql" as const }));
  await run.monitor.finished({
    backup: cfg.name,
    host: cfg.host,
    started,
    finished: sys.now(),
    durationMs: Math.round(sys.clock() - t0),
    ok,
    items: itemsOf(entries, unplanned),
    summary,
  });
  return ok ? EXIT.ok : EXIT.failed;
}

/**
 * Reports, once, the multipart uploads an earlier run started and never finished (it was killed),
 * and returns what the summary adds. Their full keys were never kept (backup/journal.ts), so they
 * cannot be aborted here: the bucket's lifecycle rule removes them.
 */
function reportLeftovers(run: Run): string {
  const { log, tag } = run;
  const left = run.journal.list();
  if (left.length === 0) return "";
  for (const u of left)
    log.warn(
      `${tag}: an earlier run was cut short and left an incomplete upload: ${u.key} (started ${u.started_at}, ` +
        `upload id ${u.upload_id}); the bucket's lifecycle rule (AbortIncompleteMultipartUpload) removes it a day after it started`,
    );
  run.journal.clear();
  return `; ${left.length} incomplete upload(s) of a run cut short left to the lifecycle rule`;
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
  run: Run,
  asset: Asset,
  cls: BackupClass,
  date: Date,
): Promise<{ entry: ManifestEntry; permanent: boolean }> {
  const { sys, cfg } = run;
  const t = sys.clock();
  const key = objectKey({
    prefix: cfg.s3.prefix,
    cls,
    date,
    host: cfg.host,
    name: asset.name,
    ext: `${asset.format}${EXTENSION[cfg.compression]}`,
  });
  const expected = await asset.expectedBytes();
  const producer = await asset.start(run.deadline.secondsLeft());
  // At once: the compressor takes over the producer's output before this process reads any of it.
  const compression = compressing(sys, cfg.compression, producer);
  const out = await streamObject({
    sys,
    client: run.client,
    bucket: cfg.s3.bucket,
    key,
    producer,
    compression,
    expectedBytes: expected,
    deadline: run.stop,
    idleMs: cfg.timeouts.idle * 1000,
    abortWithinMs: run.deadline.reserveMs / 3,
    journal: run.journal,
    rules: writeRules(cfg, cls, date),
    onStream: (gauges) => run.progress.begin(asset.name, gauges, expected),
  });
  run.progress.end();
  const changed = out.ends.flatMap((e) => e.changed ?? []);
  const base = {
    name: asset.name,
    kind: asset.kind,
    source: asset.source,
    compression: cfg.compression,
    exits: exitsOf(out.ends),
    duration_ms: Math.round(sys.clock() - t),
    ...(changed.length > 0 ? { changed_files: changed } : {}),
  };
  if (out.ok)
    return {
      entry: {
        ...base,
        ok: true,
        key: out.key,
        bytes: out.bytes,
        sha256: out.sha256,
        ...(out.versionId ? { version_id: out.versionId } : {}),
      },
      permanent: false,
    };
  return { entry: { ...base, ok: false, error: out.error }, permanent: out.permanent };
}
