// One streaming pass from a producer through compression into an S3 object, which is completed
// only if every program in the pipeline exited 0. The gate below holds back the end of the
// stream until then: lib-storage sends the last part (or, for a small stream, the single
// PutObject) and CompleteMultipartUpload only after the stream has ended, so a failing producer
// can never complete an object. On failure the multipart upload is aborted.
import { AbortMultipartUploadCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createHash } from "node:crypto";
import { pipeline, Transform, type TransformCallback } from "node:stream";
import { describeS3Error } from "../providers/s3/errors.js";
import type { Stage } from "./compression.js";
import type { Gauges } from "./progress.js";
import { describeEnd, type Producer, type StageEnd } from "./stage.js";

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
class CommitGate extends Transform {
  bytes = 0;
  private readonly hash = createHash("sha256");
  constructor(private readonly ends: Promise<StageEnd>[]) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    Promise.all(this.ends).then((ends) => {
      if (ends.every((e) => e.ok)) cb();
      else cb(new ProducerFailed(ends));
    }, cb);
  }
  digest(): string {
    return this.hash.digest("hex");
  }
}

export type StreamOutcome =
  | { ok: true; key: string; bytes: number; sha256: string; ends: StageEnd[]; parts: number }
  | { ok: false; key: string; error: string; permanent: boolean; ends: StageEnd[] };

export interface StreamRequest {
  client: S3Client;
  bucket: string;
  key: string;
  producer: Producer;
  compression: Stage;
  expectedBytes?: number;
  /** Called once the stream flows, with its byte counts (for progress on a terminal). */
  onStream?: (gauges: Gauges) => void;
}

/** Streams producer -> compression -> S3 at `key`; resolves (never rejects) with what happened. */
export async function streamObject(req: StreamRequest): Promise<StreamOutcome> {
  const { producer, compression } = req;
  const gate = new CommitGate([producer.ended, compression.ended]);
  let pipeError: Error | undefined;
  pipeline(producer.stdout, compression.stream, gate, (err) => {
    if (err) pipeError = err;
  });
  const { partSize, queueSize } = partPlan(req.expectedBytes);
  const upload = new Upload({
    client: req.client,
    params: { Bucket: req.bucket, Key: req.key, Body: gate, ContentType: "application/octet-stream" },
    partSize,
    queueSize,
    leavePartsOnError: false,
  });
  req.onStream?.({ sent: () => gate.bytes });
  let parts = 0;
  upload.on("httpUploadProgress", (p) => {
    if (p.part) parts = Math.max(parts, p.part);
  });
  try {
    await upload.done();
    const ends = await Promise.all([producer.ended, compression.ended]);
    return { ok: true, key: req.key, bytes: gate.bytes, sha256: gate.digest(), ends, parts: Math.max(parts, 1) };
  } catch (err) {
    // Stop the programs feeding a dead upload, and wait for them so none is left behind.
    gate.destroy();
    producer.kill();
    compression.kill();
    const ends = await Promise.all([producer.ended, compression.ended]);
    await abortLeftover(req, (upload as unknown as { uploadId?: string }).uploadId);
    if (err instanceof ProducerFailed) return { ok: false, key: req.key, error: err.message, permanent: false, ends };
    const failedStage = ends.find((e) => !e.ok && e.signal !== "SIGTERM");
    if (failedStage && !(err as { $metadata?: unknown }).$metadata) {
      return { ok: false, key: req.key, error: describeEnd(failedStage), permanent: false, ends };
    }
    if (pipeError && !(err as { $metadata?: unknown }).$metadata) {
      return { ok: false, key: req.key, error: pipeError.message, permanent: false, ends };
    }
    const d = describeS3Error(err, req.bucket);
    return { ok: false, key: req.key, error: d.message, permanent: d.permanent, ends };
  }
}

/** lib-storage aborts on failure; this repeats it in case that abort itself failed. */
async function abortLeftover(req: StreamRequest, uploadId: string | undefined): Promise<void> {
  if (!uploadId) return;
  try {
    await req.client.send(new AbortMultipartUploadCommand({ Bucket: req.bucket, Key: req.key, UploadId: uploadId }));
  } catch {
    // NoSuchUpload: already aborted. Anything else is left to the lifecycle's AbortIncompleteMultipartUpload rule.
  }
}
