// `s3-backup run`: every asset in turn, one streaming pass each, then the manifest (the steps are
// in run-assets.ts). Exit 0 only when every object and the manifest are in the bucket. The run
// holds the backup's lock throughout, ends within timeouts.run, and leaves nothing behind: no
// lock file, no temporary state, no incomplete upload it could abort (backup/journal.ts keeps
// those it could not). The lock is taken before the AWS SDK is even loaded, so a second run
// started while one is going exits at once.
import type { S3Client } from "@aws-sdk/client-s3";
import { dirname, join } from "node:path";
import { EXIT } from "../engine/errors.js";
import type { HeldLock } from "../engine/flock.js";
import { runRequirements, type BackupConfig } from "./config.js";
import { Deadline } from "./deadline.js";
import { trapSignals } from "./interrupt.js";
import { UploadJournal } from "./journal.js";
import { acquireLock, LockBusy } from "./lock.js";
import { JobLog } from "./log.js";
import { RunMonitor } from "./monitor.js";
import { Progress, progressTerminal } from "./progress.js";
import { statePath } from "./state.js";
import { metricsPath } from "../contract/names.js";
import { isTempOf, localSystem, type System } from "./system.js";

export interface RunOptions {
  sys?: System;
  now?: Date;
  client?: S3Client;
  log?: JobLog;
}

/** Runs the backup described by `cfg`; returns the exit code. */
export async function runBackup(cfg: BackupConfig, opts: RunOptions = {}): Promise<number> {
  // Before the lock and the log: a config without the job's keys is bad input (exit 2), not a failed run.
  const creds = runRequirements(cfg);
  const sys = opts.sys ?? localSystem;
  const log = opts.log ?? new JobLog(sys);
  const tag = `s3-backup ${cfg.name}`;
  let lock: HeldLock;
  try {
    lock = await acquireLock(sys, cfg.state_dir, cfg.name);
  } catch (err) {
    log.error(`${tag}: ${err instanceof LockBusy ? err.message : `cannot take the lock: ${(err as Error).message}`}`);
    if (!opts.log) await log.close();
    return EXIT.failed;
  }
  const journal = new UploadJournal(sys, cfg.state_dir, cfg.name);
  removeStaleTemporaries(sys, cfg, journal.path);
  const deadline = new Deadline(sys, cfg.timeouts.run);
  const trap = trapSignals(tag, "an incomplete upload", (line) => log.error(line));
  const stop = AbortSignal.any([deadline.signal, trap.signal]);
  const monitor = new RunMonitor(sys, cfg, log);
  monitor.started();
  const started = opts.now ?? sys.now();
  try {
    const { runLocked } = await import("./run-assets.js");
    const { jobS3Client } = await import("../providers/s3/client.js");
    const client = opts.client ?? jobS3Client(cfg.s3, creds, cfg.timeouts);
    const progress = new Progress(log.interactive ? progressTerminal() : undefined);
    return await runLocked({ sys, cfg, client, log, tag, journal, deadline, stop, monitor, progress }, started);
  } catch (err) {
    await monitor.crashed(started, err);
    throw err;
  } finally {
    deadline.dispose();
    trap.release();
    lock.discard();
    if (!opts.log) await log.close();
  }
}

/**
 * Removes the temporary files a killed run left half-written (writeFileAtomic's NAME.PID.tmp):
 * its state, its upload journal and its metrics file. Safe under the lock: no other run of this
 * backup is writing them.
 */
function removeStaleTemporaries(sys: System, cfg: BackupConfig, journalPath: string): void {
  const mine = [statePath(cfg.state_dir, cfg.name), journalPath];
  if (cfg.metrics) mine.push(metricsPath(cfg.metrics.textfile_dir, cfg.name));
  for (const dir of new Set(mine.map(dirname))) {
    let names: string[];
    try {
      names = sys.fs.readdirSync(dir);
    } catch {
      continue; // not made yet, or not ours to list
    }
    for (const f of names) {
      const path = join(dir, f);
      if (mine.some((m) => isTempOf(m, path))) sys.fs.rmSync(path, { force: true });
    }
  }
}
