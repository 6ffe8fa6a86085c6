// The compressing stage of an upload, fed by the producer. A compressor program (zstd) reads the
// producer's stdout directly, through the kernel, as in a shell's `a | b` (Node makes a child's
// stdout a Unix socket pair rather than a pipe; the bytes flow the same way), so the uncompressed
// bytes never pass through this process: it reads, hashes and uploads only the compressed stream.
// A stage that runs in this process (zlib's gzip, or none) reads the producer's output itself.
//
// Either way the stage says when its input last moved and whether bytes wait in front of it, so
// the stall watchdog (backup/upload.ts) can tell a silent producer from a compressor that stopped
// reading. The job sees neither end of the connection between two programs, so it asks the
// kernel: the compressor's read counter in /proc/PID/io moves when input crosses, and a producer
// asleep in a write (/proc/PID/wchan: sock_alloc_send_pskb on a socket, pipe_write on a pipe) is
// waiting for the compressor to read. Without /proc, only the compressed output shows progress.
import type { ChildProcess } from "node:child_process";
import type { Duplex, Readable } from "node:stream";
import { pipeline } from "node:stream";
import { Meter } from "./meter.js";
import { childEnded, streamEnded, terminate, type Producer, type StageEnd } from "./stage.js";
import type { System } from "./system.js";

/** A compressing stage fed by a producer: its output, how it ended, and what its input did. */
export interface Compressing {
  /** The bytes to store. */
  output: Readable;
  /** Resolves when the stage has finished, successfully or not; never rejects. */
  ended: Promise<StageEnd>;
  kill(): void;
  /** clock() when input last moved into the stage; 0 before it was seen to move. */
  inputAt(): number;
  /** True when bytes the producer wrote wait for the stage to read them. */
  holdsInput(): boolean;
}

/** Where a process sleeps when its write waits for the reader: a socket's or a pipe's buffer is full. */
const WRITE_BLOCKED = /sock_alloc_send|sock_wait_for_wmem|unix_stream_sendmsg|pipe_write|pipe_wait/;

/**
 * Runs `argv` with the producer's stdout as its stdin: the producer writes straight to the program.
 * Must be called before anything read the producer's stdout (in the tick that started it, or
 * after only microtasks): bytes this process had read would never reach the program.
 */
export function pipedStage(sys: System, argv: readonly string[], what: string, producer: Producer): Compressing {
  const out = producer.stdout as Readable & { bytesRead?: number };
  if (out.readableLength > 0 || (out.bytesRead ?? 0) > 0) {
    producer.kill(); // not left running, writing into a pipe no stage will read
    throw new Error(`${producer.what}'s output was read before ${what} could take it over`);
  }
  const child = sys.spawn(argv, { stdin: out });
  // Our copy of the read end goes: the program is then its only reader, so if it dies the
  // producer's next write fails (SIGPIPE) instead of blocking forever on output nobody reads.
  out.destroy();
  const ended = childEnded(child, what);
  return { output: child.stdout as Readable, ended, kill: () => terminate(child), ...pipeWatch(sys, producer, child) };
}

/** A stage that runs in this process (zlib, or a pass-through): the producer's bytes pass through a meter into it. */
export function inProcessStage(sys: System, stream: Duplex, what: string, producer: Producer): Compressing {
  const read = new Meter(sys.clock);
  const ended = streamEnded(stream, what);
  // An error here destroys the stream, which `ended` reports; the producer's own end says the rest.
  pipeline(producer.stdout, read, stream, () => {});
  return {
    output: stream,
    ended,
    kill: () => stream.destroy(),
    inputAt: () => read.at,
    holdsInput: () => read.readableLength > 0 || read.writableLength > 0,
  };
}

/** What the kernel tells about the connection from producer to program; the last reading stays once either is gone. */
function pipeWatch(sys: System, producer: Producer, child: ChildProcess) {
  let read: number | undefined;
  let at = 0;
  return {
    inputAt: () => {
      const io = procText(sys, child.pid, "io");
      const m = io && /^rchar:\s*(\d+)$/m.exec(io);
      // The first reading is the baseline (it counts the program's own start-up reads too).
      if (m && read !== undefined && Number(m[1]) !== read) at = sys.clock();
      if (m) read = Number(m[1]);
      return at;
    },
    holdsInput: () => WRITE_BLOCKED.test(procText(sys, producer.pid, "wchan") ?? ""),
  };
}

function procText(sys: System, pid: number | undefined, file: string): string | undefined {
  if (pid === undefined) return undefined;
  try {
    return sys.fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}
