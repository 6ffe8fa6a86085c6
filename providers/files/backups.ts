// Copies of files before converge replaces them (Chef's file_backup_path), the newest N kept.
import { promises as fs } from "node:fs";
import { join } from "node:path";
import type { Host } from "../../engine/host.js";

export const BACKUP_DIR = "/var/lib/converge/backup";

/** Saves the current file (mode 0600, root) and prunes older copies beyond `keep`. */
export async function backupFile(host: Host, path: string, keep: number): Promise<void> {
  if (keep <= 0) return;
  const base = path.replace(/^\//, "").replace(/\//g, "_");
  await host.mkdir(BACKUP_DIR, { recursive: true });
  await host.chmod(BACKUP_DIR, 0o700);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const copy = join(BACKUP_DIR, `${base}.${stamp}`);
  // The copy may hold a secret: written through the host like any file, mode 0600.
  const content = (await host.readFile(path)) ?? Buffer.alloc(0);
  await host.writeFileAtomic(copy, content, { mode: 0o600, uid: 0, gid: 0 });
  const ours = (f: string) => f.startsWith(`${base}.`) && /^\d{8}T\d{6}Z$/.test(f.slice(base.length + 1));
  const old = (await fs.readdir(BACKUP_DIR)).filter(ours).sort().reverse().slice(keep);
  for (const f of old) await host.remove(join(BACKUP_DIR, f));
}
