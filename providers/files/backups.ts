// Copies of files before converge replaces them (Chef's file_backup_path), the newest N kept.
// The copies mirror the file's path under BACKUP_DIR (/etc/app.conf -> BACKUP_DIR/etc/app.conf.STAMP),
// so two files never share a name, and carry a millisecond stamp so converges in the same second
// do not overwrite each other's copy.
import { basename, dirname, join } from "node:path";
import type { Host } from "../../engine/host.js";

export const BACKUP_DIR = "/var/lib/converge/backup";

const STAMP = /^\d{8}T\d{6}\.\d{3}Z$/;

/** "20261126T050012.345Z": sorts as it ages. */
export function backupStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, "");
}

/**
 * Keeps `content`, the file's content as converge read and checked it (never read again by name),
 * as a copy (mode 0600, root), and prunes older copies beyond `keep`.
 */
export async function backupFile(host: Host, path: string, content: Buffer, keep: number): Promise<void> {
  if (keep <= 0) return;
  const dir = dirname(join(BACKUP_DIR, path));
  // The top is 0700 before anything goes under it, so nothing there is reachable by others.
  if (!(await host.stat(BACKUP_DIR))) await host.mkdir(BACKUP_DIR, { recursive: true, mode: 0o700 });
  await host.chmod(BACKUP_DIR, 0o700);
  if (!(await host.stat(dir))) await host.mkdir(dir, { recursive: true });
  let at = Date.now();
  const copyAt = (ms: number) => join(dir, `${basename(path)}.${backupStamp(new Date(ms))}`);
  while (await host.stat(copyAt(at))) at += 1;
  await host.writeFileAtomic(copyAt(at), content, { mode: 0o600, uid: 0, gid: 0 });
  const prefix = `${basename(path)}.`;
  const ours = (f: string) => f.startsWith(prefix) && STAMP.test(f.slice(prefix.length));
  const old = ((await host.list(dir)) ?? []).filter(ours).sort().reverse().slice(keep);
  for (const f of old) await host.remove(join(dir, f));
}
