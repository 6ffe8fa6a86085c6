// One run per backup name at a time: an flock(2) on s3-backup-NAME.lock in the state directory
// (engine/flock.ts), which the kernel drops when the run ends, however it ends. No pid
// file is parsed and no lock is ever taken over; the pid in the file is only for the message.
import { join } from "node:path";
import type { HeldLock } from "../engine/flock.js";
import type { System } from "./system.js";

export class LockBusy extends Error {
  override name = "LockBusy";
}

/** Takes the backup's lock or throws LockBusy naming the run that holds it. */
export async function acquireLock(sys: System, stateDir: string, name: string): Promise<HeldLock> {
  const path = join(stateDir, `s3-backup-${name}.lock`);
  sys.fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const held = await sys.lock(path);
  if (held) return held;
  // The holder writes its pid just after it took the lock: give it a moment to, for the message.
  let pid = sys.lockHolder(path);
  for (let i = 0; pid === undefined && i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    pid = sys.lockHolder(path);
  }
  throw new LockBusy(
    `another run of backup "${name}" is in progress (${pid ? `pid ${pid}` : "pid not yet written"}, lock ${path}); not starting`,
  );
}
