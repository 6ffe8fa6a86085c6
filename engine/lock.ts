// One converge at a time on a host. Two converges at once would interleave writes (useradd
// racing useradd; two crontab edits, one lost), so every converge, why-run included (an audit
// must not read a half-written state), holds an exclusive flock(2) on LOCK_FILE from after its
// run-list is validated until it ends. The kernel drops the lock when the holder dies, however
// it dies. The lock is converge's own bookkeeping, not a change to the host it manages, so it
// is taken here rather than through the host.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { acquireFlock, type HeldLock, lockHolder } from "./flock.js";
import { LockTimeout } from "./errors.js";

export const LOCK_FILE = "/var/lib/converge/lock";

/** Seconds a converge waits for another to finish before giving up: far longer than a converge takes. */
export const DEFAULT_LOCK_TIMEOUT = 600;

/**
 * Takes the host's converge lock, waiting up to `timeoutSeconds` for a running converge, after
 * saying so through `say`. Resolves to the held lock; throws LockTimeout naming the holder after the wait.
 */
export async function lockHost(
  timeoutSeconds: number,
  say: (line: string) => void,
  path = LOCK_FILE,
): Promise<HeldLock> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const now = await acquireFlock(path);
  if (now) return now;
  if (timeoutSeconds > 0) {
    say(`${describeHolder(lockHolder(path))} is running: waiting up to ${timeoutSeconds} s for it to finish`);
    const later = await acquireFlock(path, { waitSeconds: timeoutSeconds });
    if (later) return later;
  }
  throw new LockTimeout(
    `${describeHolder(lockHolder(path))} still holds ${path} after ${timeoutSeconds} s; nothing was changed (wait longer with --lock-timeout SECONDS)`,
  );
}

/** "another converge (pid 123)", for messages. */
export const describeHolder = (pid: number | undefined) => `another converge${pid ? ` (pid ${pid})` : ""}`;
