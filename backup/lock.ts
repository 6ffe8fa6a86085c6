// One run per backup name at a time: a lock file holding the owner's pid, created exclusively.
// A lock whose pid is gone (the run was killed) is taken over.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

export class LockBusy extends Error {
  override name = "LockBusy";
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the lock or throws LockBusy; returns the release function. */
export function acquireLock(stateDir: string, name: string): () => void {
  const path = join(stateDir, `s3-backup-${name}.lock`);
  mkdirSync(stateDir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let pid = NaN;
      try {
        pid = Number.parseInt(readFileSync(path, "utf8"), 10);
      } catch {
        /* vanished: retry */
      }
      if (Number.isFinite(pid) && pid !== process.pid && alive(pid)) {
        throw new LockBusy(`another run of backup "${name}" is in progress (pid ${pid}, lock ${path}); not starting`);
      }
      try {
        unlinkSync(path);
      } catch {
        /* raced with its owner's release */
      }
    }
  }
  throw new LockBusy(`could not take the lock ${path}`);
}
