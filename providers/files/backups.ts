// Copies of files before converge replaces them (Chef's file_backup_path), the newest N kept.
// The copies mirror the file's path under BACKUP_DIR (/etc/app.conf -> BACKUP_DIR/etc/app.conf.STAMP),
// so two files never share a name, and carry a millisecond stamp so converges in the same second
// do not overwrite each other's copy.
import { promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Host } from "../../engine/host.js";

export const BACKUP_DIR = "/var/lib/converge/backup";

const STAMP = /^\d{8}T\d{6}\.\d{3}Z$/;

/** "20261126T050012.345Z": sorts as it ages. */
export function backupStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, "");
}

/** Saves the current file (mode 0600, root) and prunes older copies beyond `keep`. */
export async function backupFile(host: Host, path: string, keep: number): Promise<void> {
  if (keep <= 0) return;
  const dir = dirname(join(BACKUP_DIR, path));
  await host.mkdir(dir, { recursive: true });
  // The top is 0700, so nothing under it is reachable by others whatever its own mode.
  await host.chmod(BACKUP_DIR, 0o700);
  let at = Date.now();
  const copyAt = (ms: number) => join(dir, `${basename(path)}.${backupStamp(new Date(ms))}`);
  while (await host.stat(copyAt(at))) at += 1;
  // The copy may hold a secret: written through the host like any file, mode 0600.
  const content = (await host.readFile(path)) ?? Buffer.alloc(0);
  await host.writeFileAtomic(copyAt(at), content, { mode: 0o600, uid: 0, gid: 0 });
  const prefix = `${basename(path)}.`;
  const ours = (f: string) => f.startsWith(prefix) && STAMP.test(f.slice(prefix.length));
  const old = (await fs.readdir(dir)).filter(ours).sort().reverse().slice(keep);
  for (const f of old) await host.remove(join(dir, f));
}
