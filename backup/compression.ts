// Compression stages: zstd through the system binary (fast, multi-threaded), gzip through zlib,
// or none. Each stage reports how it ended so an upload is completed only after a clean exit.
import { PassThrough, type Duplex } from "node:stream";
import { createGzip, createGunzip } from "node:zlib";
import type { Compression } from "./config.js";
import { duplexOf, type StageEnd } from "./stage.js";
import type { System } from "./system.js";

export interface Stage {
  stream: Duplex;
  /** Resolves when the stage has finished, successfully or not; never rejects. */
  ended: Promise<StageEnd>;
  kill(): void;
}

export const EXTENSION: Record<Compression, string> = { zstd: ".zst", gzip: ".gz", none: "" };

function zlibStage(stream: Duplex, label: string): Stage {
  const ended = new Promise<StageEnd>((resolve) => {
    stream.once("end", () => resolve({ ok: true, what: label, code: 0 }));
    stream.once("error", (e) => resolve({ ok: false, what: label, code: null, detail: e.message }));
    stream.once("close", () => resolve({ ok: false, what: label, code: null, detail: "closed before the end" }));
  });
  return { stream, ended, kill: () => stream.destroy() };
}

function zstdStage(sys: System, args: string[]): Stage {
  return duplexOf(sys.spawn(["zstd", ...args], { stdin: "pipe" }), "zstd");
}

/** A compressing stage for the upload path. */
export function compressor(sys: System, c: Compression): Stage {
  if (c === "zstd") return zstdStage(sys, ["-q", "-c", "-3", "-T0"]);
  if (c === "gzip") return zlibStage(createGzip({ level: 6 }), "gzip");
  return zlibStage(new PassThrough(), "none");
}

/** The matching decompressing stage, for restore. */
export function decompressor(sys: System, c: Compression): Stage {
  if (c === "zstd") return zstdStage(sys, ["-q", "-d", "-c"]);
  if (c === "gzip") return zlibStage(createGunzip(), "gunzip");
  return zlibStage(new PassThrough(), "none");
}
