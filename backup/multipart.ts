// Sending one stream to S3 as an object: a single PutObject when it fits in one part, else a
// multipart upload with a few parts in flight. Written here rather than taken from lib-storage so
// that the job decides three things itself: every request carries the run's abort signal (a
// deadline cuts a stalled request at once), the upload id reaches the journal before the first
// part is sent (backup/journal.ts), and a failed upload is aborted before the call returns.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import type { UploadJournal } from "./journal.js";
import { storedByEarlierAttempt, type WriteRules } from "./write-rules.js";

export interface PutTarget {
  client: S3Client;
  bucket: string;
  key: string;
}

export interface PutPlan {
  partSize: number;
  /** Parts in flight at once. */
  queueSize: number;
  /** Stops every request of this upload. */
  signal: AbortSignal;
  /** Milliseconds allowed for the AbortMultipartUpload sent after a failure. */
  abortWithinMs: number;
  journal: UploadJournal;
  /** Create-only, owner-readable, locked if configured: backup/write-rules.ts. */
  rules: WriteRules;
}

/** What S3 stored: the parts sent, and the version it made if the bucket keeps versions. */
export interface PutResult {
  parts: number;
  versionId?: string;
}

/** Reads `body` in buffers of exactly `size` bytes (the last one shorter); `last` marks the end. */
async function* partsOf(body: Readable, size: number): AsyncGenerator<{ data: Buffer; last: boolean }> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let pending: Buffer | undefined;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    held.push(chunk);
    heldBytes += chunk.length;
    while (heldBytes >= size) {
      const all = Buffer.concat(held, heldBytes);
      // A full part is only known not to be the last once more data follows it.
      if (pending) yield { data: pending, last: false };
      pending = all.subarray(0, size);
      held = heldBytes > size ? [all.subarray(size)] : [];
      heldBytes -= size;
    }
  }
  if (pending && heldBytes === 0) {
    yield { data: pending, last: true };
    return;
  }
  if (pending) yield { data: pending, last: false };
  yield { data: Buffer.concat(held, heldBytes), last: true };
}

/** Streams `body` to the target; resolves with what was stored, or rejects after aborting. */
export async function putStream(t: PutTarget, body: Readable, plan: PutPlan): Promise<PutResult> {
  const { client, bucket, key } = t;
  const { IfNoneMatch, ...lockAndAcl } = plan.rules;
  const opts = { abortSignal: plan.signal };
  const parts = partsOf(body, plan.partSize);
  const first = await parts.next();
  if (first.done || first.value.last) {
    const data = first.done ? Buffer.alloc(0) : first.value.data;
    const put = await client
      .send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ContentType: OCTETS, ...plan.rules }), opts)
      .catch(storedByEarlierAttempt);
    return { parts: 1, versionId: put.VersionId };
  }
  // If-None-Match belongs on the request that makes the object appear: CompleteMultipartUpload.
  const created = await client.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: OCTETS, ...lockAndAcl }),
    opts,
  );
  const uploadId = created.UploadId!;
  plan.journal.started(key, uploadId);
  const inFlight = new Set<Promise<void>>();
  try {
    const done: CompletedPart[] = [];
    let failure: unknown;
    let number = 0;
    for (let part: IteratorResult<{ data: Buffer }> = first; !part.done; part = await parts.next()) {
      const PartNumber = ++number;
      const sent: Promise<void> = client
        .send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: part.value.data }),
          opts,
        )
        .then(
          (r) => void done.push({ PartNumber, ETag: r.ETag }),
          (err: unknown) => void (failure ??= err),
        )
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
      while (inFlight.size >= plan.queueSize && failure === undefined) await Promise.race(inFlight);
      if (failure !== undefined) break;
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    done.sort((a, b) => a.PartNumber! - b.PartNumber!);
    const completed = await client
      .send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: done },
          IfNoneMatch,
        }),
        opts,
      )
      .catch(storedByEarlierAttempt);
    plan.journal.settled(uploadId);
    return { parts: number, versionId: completed.VersionId };
  } catch (err) {
    // The stream may still be flowing into a dead upload: stop reading it. Parts still on their
    // way are waited for (they fail at once if the signal stopped them): one that lands after
    // the abort would leave its upload behind on some stores.
    await parts.return(undefined);
    await Promise.all(inFlight);
    await abortUpload(client, { bucket, key, uploadId }, plan.abortWithinMs, plan.journal);
    throw err;
  }
}

/**
 * Aborts a multipart upload, within `withinMs` whatever the endpoint does; forgets it in the
 * journal once S3 confirmed (or says it is already gone). Returns why it could not, or undefined.
 */
export async function abortUpload(
  client: S3Client,
  u: { bucket: string; key: string; uploadId: string },
  withinMs: number,
  journal: UploadJournal,
): Promise<string | undefined> {
  try {
    await client.send(new AbortMultipartUploadCommand({ Bucket: u.bucket, Key: u.key, UploadId: u.uploadId }), {
      abortSignal: AbortSignal.timeout(Math.max(1, Math.floor(withinMs))),
    });
  } catch (err) {
    if ((err as { name?: string }).name !== "NoSuchUpload") return (err as Error).message;
  }
  journal.settled(u.uploadId);
  return undefined;
}

const OCTETS = "application/octet-stream";
