// An exclusive flock(2) on a file, held until this process exits or releases it. Node has no
// flock, so util-linux's flock(1) takes it on a descriptor this process opened and passes down:
// the lock belongs to the open file description, which this process keeps after flock(1) exits.
// The kernel drops it when the last descriptor closes, so a killed holder never leaves a stale
// lock, and there is no pid file to parse or take over. The file also records the holder's pid,
// for messages only.
import { spawn } from "node:child_process";
import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { CHILD_ENV } from "./program.js";

export interface HeldLock {
  readonly path: string;
  /** Drops the lock (the descriptor is closed); safe to call twice. */
  release(): void;
  /**
   * Removes the lock file, then drops the lock, so nothing is left on disk. Safe because a taker
   * that finds its file gone from the path once it holds the lock tries again on the new one.
   */
  discard(): void;
}

export interface LockOptions {
  /** Seconds to wait for the holder to finish; 0 (the default) gives up at once. */
  waitSeconds?: number;
}

/** The pid the file names (its holder, or its last holder), for messages; undefined when unreadable. */
export function lockHolder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when the descriptor is still the file at path (not removed or replaced since it was opened). */
function stillAt(fd: number, path: string): boolean {
  const held = fstatSync(fd);
  const now = lstatSync(path, { throwIfNoEntry: false });
  return now !== undefined && now.ino === held.ino && now.dev === held.dev;
}

/**
 * Takes the lock on `path` (created 0600 if missing, never through a symlink). Resolves to the
 * held lock, or undefined when another process holds it past the wait.
 */
export async function acquireFlock(path: string, opts: LockOptions = {}): Promise<HeldLock | undefined> {
  for (let attempt = 0; ; attempt++) {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    try {
      const wait = opts.waitSeconds ?? 0;
      const flags = wait > 0 ? ["--exclusive", "--wait", String(wait)] : ["--exclusive", "--nonblock"];
      // --conflict-exit-code tells "held by another" (75, EX_TEMPFAIL) from flock(1) failing.
      const code = await runFlock([...flags, "--conflict-exit-code", "75", "3"], fd);
      if (code === 75) {
        closeSync(fd);
        return undefined;
      }
      if (code !== 0) throw new Error(`flock(1) exited ${code} taking ${path}`);
      // The holder before us discarded the file after we opened it: this lock guards nothing.
      if (!stillAt(fd, path)) {
        closeSync(fd);
        if (attempt < 10) continue;
        throw new Error(`${path} keeps being replaced while it is locked`);
      }
      try {
        ftruncateSync(fd, 0);
        writeSync(fd, `${process.pid}\n`, 0);
      } catch {
        // A full disk: the pid is only for messages, and an empty file is locked just the same.
      }
    } catch (err) {
      try {
        closeSync(fd);
      } catch {
        /* closed above */
      }
      throw err;
    }
    let held = true;
    const release = () => {
      if (held) closeSync(fd);
      held = false;
    };
    return {
      path,
      release,
      discard: () => {
        if (held) unlinkSync(path);
        release();
      },
    };
  }
}
function runFlock(args: string[], fd: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    // The fixed PATH and no secret of ours: flock(1) is found where root's programs are.
    const child = spawn("flock", args, { env: CHILD_ENV, stdio: ["ignore", "ignore", "ignore", fd] });
    child.once("error", (e) => reject(new Error(`cannot run flock(1) (util-linux): ${e.message}`)));
    child.once("close", (code) => resolve(code));
  });
}
