// The backup job's one door to the machine: every program it starts (and so every stream it
// reads), every file it touches, its lock and its clock. Modules get a System instead of importing
// child_process or fs, so a test or the fault suite has one place to watch or replace them.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import type { Readable } from "node:stream";
import { runProgram, type Finished, type ProgramOptions } from "../engine/program.js";
import { acquireFlock, lockHolder, type HeldLock } from "../engine/flock.js";

/** The file operations the job and its restore use: node:fs, synchronous, nothing else. */
export type FileOps = Pick<
  typeof fs,
  | "closeSync"
  | "fchmodSync"
  | "fsyncSync"
  | "lstatSync"
  | "mkdirSync"
  | "mkdtempSync"
  | "openSync"
  | "readdirSync"
  | "readFileSync"
  | "readlinkSync"
  | "renameSync"
  | "rmdirSync"
  | "rmSync"
  | "statSync"
  | "unlinkSync"
  | "writeSync"
>;

export interface SpawnOptions {
  /**
   * "pipe" for a filter or sink that reads its input from us; another program's stdout to read
   * it directly, through the kernel pipe (the caller then closes its own copy); default "ignore".
   */
  stdin?: "pipe" | "ignore" | Readable;
  /** Kills the program (SIGTERM) when aborted. */
  signal?: AbortSignal;
}

export interface System {
  /** Starts argv with stdout and stderr as pipes; the caller owns the streams. */
  spawn(argv: readonly string[], opts?: SpawnOptions): ChildProcess;
  /** Runs argv to its end and collects its output (engine/program.ts). */
  run(argv: readonly string[], opts?: ProgramOptions): Promise<Finished>;
  /** An exclusive flock(2) on path, or undefined when another process holds it. */
  lock(path: string): Promise<HeldLock | undefined>;
  /** The pid a lock file names, for messages. */
  lockHolder(path: string): number | undefined;
  readonly fs: FileOps;
  /** Wall-clock time: dates in keys and manifests. */
  now(): Date;
  /** Milliseconds that never go back (performance.now): durations and deadlines. */
  clock(): number;
  /** This process's pid, for syslog lines and the lock. */
  readonly pid: number;
}

/** The machine this process runs on. */
export const localSystem: System = {
  spawn: (argv, opts = {}) =>
    spawn(argv[0], argv.slice(1), { stdio: [opts.stdin ?? "ignore", "pipe", "pipe"], signal: opts.signal }),
  run: (argv, opts) => runProgram(argv[0], argv.slice(1), opts),
  lock: (path) => acquireFlock(path),
  lockHolder,
  fs,
  now: () => new Date(),
  clock: () => performance.now(),
  pid: process.pid,
};

/** True when `candidate` is a temporary file writeFileAtomic made for `path` (PATH.PID.tmp). */
export function isTempOf(path: string, candidate: string): boolean {
  return candidate.startsWith(`${path}.`) && /^\.\d+\.tmp$/.test(candidate.slice(path.length));
}

/**
 * Writes `text` to `path` so a crash or a full disk leaves the old file or the new one, and no
 * temporary file: it is written beside the target, synced, renamed over it, and removed again if
 * any step fails.
 */
export function writeFileAtomic(sys: System, path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.${sys.pid}.tmp`;
  let fd: number | undefined;
  try {
    // A leftover of a killed writer with this pid goes first; then the name is made fresh, never
    // opened through a link someone put there.
    sys.fs.rmSync(tmp, { force: true });
    fd = sys.fs.openSync(
      tmp,
      fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
      mode,
    );
    sys.fs.fchmodSync(fd, mode); // whatever the umask (cron's may be 077)
    sys.fs.writeSync(fd, text);
    sys.fs.fsyncSync(fd);
    sys.fs.closeSync(fd);
    fd = undefined;
    sys.fs.renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) sys.fs.closeSync(fd);
    sys.fs.rmSync(tmp, { force: true });
    throw err;
  }
}
