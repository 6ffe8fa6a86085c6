// Reading one backed-up object for restore: GET it, hash and count its bytes on the way, and
// either only check it against its manifest entry or stream it through decompression into a
// program (tar, mysql). Never throws: every failure, an interrupt included, is a message.
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { s3ErrorMessage } from "../providers/s3/errors.js";
import { explainReadDenied, isDenied } from "./denied.js";
import { decompressor } from "./compression.js";
import { abortReason } from "./interrupt.js";
import type { ManifestEntry } from "./manifest.js";
import { Meter } from "./meter.js";
import { childEnded, describeEnd, type StageEnd } from "./stage.js";
import type { System } from "./system.js";

/** Which stored object a GET must return: one version, or the content an earlier GET saw. */
export type Pin = { VersionId: string } | { IfMatch: string } | Record<string, never>;

/** Where to read from and what may stop it. */
export interface Source {
  sys: System;
  client: S3Client;
  bucket: string;
  signal?: AbortSignal;
}

/**
 * GETs entry.key (as pinned) with a meter that hashes and counts the bytes passing through it.
 * The version the manifest recorded wins over any pin: in a versioned bucket it is the object
 * the job wrote, even if the key was overwritten since.
 */
async function metered(src: Source, entry: ManifestEntry, pin: Pin) {
  const which: Pin = entry.version_id ? { VersionId: entry.version_id } : pin;
  const obj = await src.client.send(new GetObjectCommand({ Bucket: src.bucket, Key: entry.key!, ...which }), {
    abortSignal: src.signal,
  });
  const meter = new Meter();
  /** After the body was read: why it does not match the manifest, or undefined. */
  const mismatch = (): string | undefined => {
    const sha = meter.digest();
    if (sha === entry.sha256 && meter.bytes === entry.bytes) return undefined;
    return `object ${entry.key} does not match its manifest (sha256 ${sha}, ${meter.bytes} bytes; manifest says ${entry.sha256}, ${entry.bytes} bytes)`;
  };
  // A later GET asks for this exact object: the version, if the bucket keeps versions, else this
  // ETag (the store answers 412 if the key was overwritten in between).
  const seen: Pin = obj.VersionId ? { VersionId: obj.VersionId } : obj.ETag ? { IfMatch: obj.ETag } : {};
  return { body: obj.Body as Readable, meter, mismatch, seen };
}

/** An interrupt first, then a refused read with its cause, then an S3 error in one line, else the error's message. */
async function failure(src: Source, entry: ManifestEntry, err: unknown): Promise<string> {
  if (src.signal?.aborted) return abortReason(src.signal);
  if (isDenied(err)) return explainReadDenied(src.client, src.bucket, entry.key!, err);
  return s3ErrorMessage(err, src.bucket);
}

/** Reads the whole object only to check it; returns how to GET the same object again, or why not. */
export async function checkObject(src: Source, entry: ManifestEntry): Promise<{ pin: Pin } | { error: string }> {
  try {
    const m = await metered(src, entry, {});
    await pipeline(m.body, m.meter, new Writable({ write: (_c, _e, cb) => cb() }), { signal: src.signal });
    const error = m.mismatch();
    return error ? { error } : { pin: m.seen };
  } catch (err) {
    return { error: await failure(src, entry, err) };
  }
}

/** Streams the object into `sinkArgv`'s stdin, checking SHA-256 and size on the way. */
export async function streamInto(
  src: Source,
  entry: ManifestEntry,
  sinkArgv: string[],
  sinkName: string,
  pin: Pin = {},
): Promise<string | undefined> {
  let m;
  try {
    src.signal?.throwIfAborted();
    m = await metered(src, entry, pin);
  } catch (err) {
    return failure(src, entry, err);
  }
  const dec = decompressor(src.sys, entry.compression);
  // On an interrupt the sink is killed rather than sent EOF, which mysql would take as the end of
  // the dump and run what it has so far.
  const sink = src.sys.spawn(sinkArgv, { stdin: "pipe", signal: src.signal });
  sink.stdout?.resume();
  const sinkEnded = childEnded(sink, sinkName);
  let pipeErr: NodeJS.ErrnoException | undefined;
  await pipeline(m.body, m.meter, dec.stream, sink.stdin!, { signal: src.signal }).catch((e: Error) => {
    pipeErr = e;
  });
  const ends: StageEnd[] = await Promise.all([dec.ended, sinkEnded]);
  if (src.signal?.aborted) return abortReason(src.signal);
  const bad = ends.find((e) => !e.ok);
  const failed = m.mismatch() ?? (bad ? describeEnd(bad) : undefined);
  if (failed || !pipeErr) return failed;
  // Every byte matched the manifest on its way and every program exited 0. A program that has
  // read all it needs may exit, closing its stdin, before Node sees its own end of that pipe
  // finish (tar stops at the archive's end marker): the pipeline then says "Premature close" or
  // EPIPE, though nothing was lost. Anything else is a failure.
  return pipeErr.code === "ERR_STREAM_PREMATURE_CLOSE" || pipeErr.code === "EPIPE" ? undefined : pipeErr.message;
}
