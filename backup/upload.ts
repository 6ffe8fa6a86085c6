// One streaming pass from a producer through compression into an S3 object, which is completed
// only if every program in the pipeline exited 0. The gate below holds back the end of the
// stream until then: the last part (or, for a small stream, the single PutObject) and
// CompleteMultipartUpload are sent only after the stream has ended, so a failing producer can
// never complete an object. On failure the multipart upload is aborted.
//
// Nothing waits forever: S3 requests have connect and idle timeouts (providers/s3/client.ts), a
// producer or compressor that moves no byte for `idleMs` fails the asset as stalled, and the
// run's deadline stops the stream wherever it is, naming the stage that held it up.
import type { S3Client } from "@aws-sdk/client-s3";
import { pipeline, type TransformCallback } from "node:stream";
import { describeS3Error, isS3Error } from "../providers/s3/errors.js";
import type { UploadJournal } from "./journal.js";
import type { Compressing } from "./piped.js";
import { Meter } from "./meter.js";
import { putStream } from "./multipart.js";
import type { Gauges } from "./progress.js";
import { describeEnd, type Producer, type StageEnd } from "./stage.js";
import type { System } from "./system.js";
import { retainVersion } from "./retention.js";
import type { WriteRules } from "./write-rules.js";

const MiB = 1024 * 1024;
const MIN_PART = 8 * MiB;
const MAX_PART = 5 * 1024 * MiB;
const PART_LIMIT = 10_000;
/** Parts held in memory at once are about queueSize x partSize; this bounds their sum. */
const MEMORY_BUDGET = 16 * MiB;

/**
 * Part size and concurrency for a stream of about `expectedBytes` (before compression): parts
 * grow so that twice the estimate fits in 9,000 parts (headroom under S3's 10,000), and
 * concurrency shrinks as parts grow so memory stays bounded. Unknown size: 8 MiB parts, which
 * covers 78 GiB.
 */
export function partPlan(expectedBytes?: number): { partSize: number; queueSize: number } {
  const wanted = expectedBytes ? Math.ceil((expectedBytes * 2) / (PART_LIMIT - 1000)) : 0;
  const partSize = Math.min(MAX_PART, Math.max(MIN_PART, Math.ceil(wanted / MiB) * MiB));
  const queueSize = Math.max(1, Math.min(4, Math.floor(MEMORY_BUDGET / partSize)));
  return { partSize, queueSize };
}

/** Where a stream can stall: reaching a server, the program producing data, compression, S3. */
export type StallPoint = "connect" | "producer" | "compressor" | "upload";

/** Why a stream was stopped from outside: a stall or the run's deadline, and where it stood. */
export class Stopped extends Error {
  constructor(
    message: string,
    readonly where: StallPoint,
  ) {
    super(message);
  }
}

class ProducerFailed extends Error {
  constructor(readonly ends: StageEnd[]) {
    super(
      ends
        .filter((e) => !e.ok)
        .map(describeEnd)
        .join("; "),
    );
  }
}

/** Counts and hashes what goes to S3, and ends the stream only once every stage exited cleanly. */
class CommitGate extends Meter {
  constructor(
    private readonly ends: Promise<StageEnd>[],
    clock: () => number,
  ) {
    super(clock);
  }
  override _flush(cb: TransformCallback): void {
    Promise.all(this.ends).then((ends) => {
      if (ends.every((e) => e.ok)) cb();
      else cb(new ProducerFailed(ends));
    }, cb);
  }
}

export type StreamOutcome =
  | { ok: true; key: string; bytes: number; sha256: string; ends: StageEnd[]; parts: number; versionId?: string }
  | { ok: false; key: string; error: string; permanent: boolean; ends: StageEnd[]; stalled?: StallPoint };

export interface StreamRequest {
  sys: System;
  client: S3Client;
  bucket: string;
  key: string;
  producer: Producer;
  /** Fed by the producer already (backup/piped.ts); only its output passes through here. */
  compression: Compressing;
  expectedBytes?: number;
  /** Aborted with a Stopped reason when the run's deadline passes. */
  deadline: AbortSignal;
  /** Milliseconds the producer or compressor may move no byte before the asset fails as stalled. */
  idleMs: number;
  /** Milliseconds allowed for aborting the upload after a failure. */
  abortWithinMs: number;
  journal: UploadJournal;
  /** Create-only, owner-readable, locked if configured: backup/write-rules.ts. */
  rules: WriteRules;
  /** Called once the stream flows, with its byte counts (for progress on a terminal). */
  onStream?: (gauges: Gauges) => void;
}

/** Streams producer -> compression -> S3 at `key`; resolves (never rejects) with what happened. */
export async function streamObject(req: StreamRequest): Promise<StreamOutcome> {
  const { sys, producer, compression } = req;
  const gate = new CommitGate([producer.ended, compression.ended], sys.clock);
  let pipeError: Error | undefined;
  pipeline(compression.output, gate, (err) => {
    if (err) pipeError = err;
  });
  let programsDone = false;
  void Promise.all([producer.ended, compression.ended]).then(() => (programsDone = true));

  // Bytes waiting in front of a stage mean that stage is the one holding the stream up.
  const stalledAt = (): StallPoint => {
    if (programsDone || gate.readableLength > 0) return "upload";
    if (compression.holdsInput()) return "compressor";
    // Not "connect" even with no byte yet: mysqldump buffers its output, and the run's listing
    // has just reached the same server with the same account.
    return "producer";
  };
  const stop = new AbortController();
  const halt = (reason: Stopped) => {
    if (stop.signal.aborted) return;
    stop.abort(reason);
    gate.destroy(reason);
    producer.kill();
    compression.kill();
  };
  const onDeadline = () => {
    const where = stalledAt();
    halt(new Stopped(`${String(req.deadline.reason)}; the ${where} stage had not finished`, where));
  };
  if (req.deadline.aborted) onDeadline();
  req.deadline.addEventListener("abort", onDeadline);
  const since = sys.clock();
  // S3 requests time out by themselves; this watches the programs, which have no timeout of their own.
  const watchdog = setInterval(
    () => {
      const quiet = sys.clock() - Math.max(since, compression.inputAt(), gate.at);
      const where = stalledAt();
      if (quiet < req.idleMs || where === "upload") return;
      const what = where === "compressor" ? "the compressor" : producer.what;
      halt(
        new Stopped(
          `${where} stalled: ${what} moved no data for ${Math.round(quiet / 1000)} s (timeouts.idle)` +
            (where === "producer" && producer.what === "mysqldump" ? "; a table locked by another session?" : ""),
          where,
        ),
      );
    },
    Math.min(1000, Math.max(50, req.idleMs / 4)),
  );

  const { partSize, queueSize } = partPlan(req.expectedBytes);
  req.onStream?.({ sent: () => gate.bytes });
  try {
    const { parts, versionId } = await putStream({ client: req.client, bucket: req.bucket, key: req.key }, gate, {
      partSize,
      queueSize,
      signal: stop.signal,
      abortWithinMs: req.abortWithinMs,
      journal: req.journal,
      rules: req.rules,
    });
    const ends = await Promise.all([producer.ended, compression.ended]);
    try {
      await retainVersion(req.client, { bucket: req.bucket, key: req.key, versionId }, req.rules);
    } catch (err) {
      const d = describeS3Error(err, req.bucket);
      return {
        ok: false,
        key: req.key,
        error: `uploaded, but its Object Lock retention was refused: ${d.message}`,
        permanent: d.permanent,
        ends,
      };
    }
    return {
      ok: true,
      key: req.key,
      bytes: gate.bytes,
      sha256: gate.digest(),
      ends,
      parts,
      ...(versionId ? { versionId } : {}),
    };
  } catch (err) {
    // Stop the programs feeding a dead upload, and wait for them so none is left behind.
    gate.destroy();
    producer.kill();
    compression.kill();
    const ends = await Promise.all([producer.ended, compression.ended]);
    const fail = (error: string, permanent = false, stalled?: StallPoint): StreamOutcome => ({
      ok: false,
      key: req.key,
      error,
      permanent,
      ends,
      ...(stalled ? { stalled } : {}),
    });
    const stopped = stop.signal.reason as Stopped | undefined;
    if (stopped) return fail(stopped.message, false, stopped.where);
    if (err instanceof ProducerFailed) return fail(err.message);
    const failedStage = ends.find((e) => !e.ok && e.signal !== "SIGTERM");
    if (failedStage && !isS3Error(err)) return fail(describeEnd(failedStage));
    if (pipeError && !isS3Error(err)) return fail(pipeError.message);
    const d = describeS3Error(err, req.bucket);
    return fail(d.message, d.permanent, d.timeout === "connect" ? "connect" : d.timeout ? "upload" : undefined);
  } finally {
    clearInterval(watchdog);
    req.deadline.removeEventListener("abort", onDeadline);
  }
}
