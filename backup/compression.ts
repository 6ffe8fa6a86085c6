// Compression stages: zstd through the system binary (fast, multi-threaded), gzip through zlib,
// or none. Each stage reports how it ended so an upload is completed only after a clean exit.
// On upload, zstd reads the producer's output straight through a kernel pipe (backup/piped.ts).
// gzip stays in zlib: its cost is the deflate itself (about 15 CPU s per 100 MB, single-threaded
// in gzip(1), zlib or one stream of pigz alike), against which passing the bytes through this
// process is about a tenth; bench/README.md has the figures.
import { PassThrough, type Duplex } from "node:stream";
import { createGzip, createGunzip } from "node:zlib";
import type { Compression } from "./config.js";
import { inProcessStage, pipedStage, type Compressing } from "./piped.js";
import { duplexOf, streamEnded, type Producer, type StageEnd } from "./stage.js";
import type { System } from "./system.js";

export interface Stage {
  stream: Duplex;
  /** Resolves when the stage has finished, successfully or not; never rejects. */
  ended: Promise<StageEnd>;
  kill(): void;
}

export const EXTENSION: Record<Compression, string> = { zstd: ".zst", gzip: ".gz", none: "" };

const ZSTD_COMPRESS = ["zstd", "-q", "-c", "-3", "-T0"];

/**
 * The compressing stage of an upload, fed by `producer`; call it right after starting the
 * producer (see pipedStage). Compression none passes the producer's output on unchanged.
 */
export function compressing(sys: System, c: Compression, producer: Producer): Compressing {
  if (c === "zstd") return pipedStage(sys, ZSTD_COMPRESS, "zstd", producer);
  if (c === "gzip") return inProcessStage(sys, createGzip({ level: 6 }), "gzip", producer);
  return inProcessStage(sys, new PassThrough(), "none", producer);
}

function zlibStage(stream: Duplex, label: string): Stage {
  return { stream, ended: streamEnded(stream, label), kill: () => stream.destroy() };
}

/** The matching decompressing stage, for restore. */
export function decompressor(sys: System, c: Compression): Stage {
  if (c === "zstd") return duplexOf(sys.spawn(["zstd", "-q", "-d", "-c"], { stdin: "pipe" }), "zstd");
  if (c === "gzip") return zlibStage(createGunzip(), "gunzip");
  return zlibStage(new PassThrough(), "none");
}
