// A child process as a pipeline stage, and how it ended. The exit status is what decides whether
// an upload may complete, so it is collected for every program in the pipeline.
import type { ChildProcess } from "node:child_process";
import { Duplex, type Readable, type Stream } from "node:stream";
import type { ChangedFile } from "./manifest.js";

export interface StageEnd {
  ok: boolean;
  /** Which program or stage, e.g. "tar", "mysqldump", "zstd". */
  what: string;
  code: number | null;
  signal?: string | null;
  /** The end of its stderr, or an error message. */
  detail?: string;
  /** tar only: files that changed while it read them. */
  changed?: ChangedFile[];
}

/** Describes a failed end in one line, e.g. `mysqldump killed by SIGKILL: ...`. */
export function describeEnd(e: StageEnd): string {
  const how = e.signal ? `killed by ${e.signal}` : e.code === null ? "failed" : `exited ${e.code}`;
  return `${e.what} ${how}${e.detail ? `: ${e.detail}` : ""}`;
}

/** Resolves with how a child ended, keeping the last 2 KiB of its stderr. Never rejects. */
export function childEnded(child: ChildProcess, what: string): Promise<StageEnd> {
  let tail = "";
  child.stderr?.on("data", (b: Buffer) => {
    tail = (tail + b.toString("utf8")).slice(-2048);
  });
  return new Promise((resolve) => {
    child.once("error", (e) => resolve({ ok: false, what, code: null, detail: e.message }));
    child.once("close", (code, signal) => {
      const detail = tail
        .split("\n")
        .filter((l) => l.trim() !== "")
        .slice(-3)
        .join(" | ");
      resolve({ ok: code === 0, what, code, signal, ...(detail ? { detail } : {}) });
    });
  });
}

/** Resolves with how an in-process stream stage ended: its end, an error, or a close before the end. */
export function streamEnded(stream: Stream, what: string): Promise<StageEnd> {
  return new Promise<StageEnd>((resolve) => {
    stream.once("end", () => resolve({ ok: true, what, code: 0 }));
    stream.once("error", (e: Error) => resolve({ ok: false, what, code: null, detail: e.message }));
    stream.once("close", () => resolve({ ok: false, what, code: null, detail: "closed before the end" }));
  });
}

export interface Producer {
  /** The program, e.g. "tar", for messages. */
  what: string;
  /** Its pid while it runs, for what the kernel tells about it (backup/piped.ts). */
  pid?: number;
  stdout: Readable;
  ended: Promise<StageEnd>;
  kill(): void;
}

/** Asks `child` to stop (SIGTERM), unless it has already exited or died of a signal. */
export function terminate(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
}

/** A spawned program whose stdout is the data. */
export function producerOf(child: ChildProcess, what: string): Producer {
  const ended = childEnded(child, what);
  return {
    what,
    pid: child.pid,
    stdout: child.stdout as Readable,
    ended,
    kill: () => terminate(child),
  };
}

/** A spawned filter (stdin -> stdout) as one Duplex stream. */
export function duplexOf(
  child: ChildProcess,
  what: string,
): { stream: Duplex; ended: Promise<StageEnd>; kill(): void } {
  const ended = childEnded(child, what);
  const stream = Duplex.from({ writable: child.stdin!, readable: child.stdout! });
  return {
    stream,
    ended,
    kill: () => terminate(child),
  };
}
