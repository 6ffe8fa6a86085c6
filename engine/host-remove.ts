// Removing what is at a path without being redirected: names are unlinked, never followed, and
// a directory's tree is walked through pinned descriptors, staying on one filesystem, so an
// account that owns the tree cannot steer a recursive delete by root anywhere else.
import { promises as fs, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Announce } from "./host-files.js";
import {
  ifMissing,
  inParent,
  type KeptDirs,
  lookInParent,
  openChildDir,
  type PinnedDir,
  UnsafePath,
} from "./pinned-path.js";

/**
 * Removes the entry at `path`: a name is unlinked (a link, never what it points to); a directory
 * is removed with, when `recursive`, everything in it, never following a link and never entering
 * another filesystem mounted inside.
 */
export function removePath(path: string, recursive: boolean): Promise<void> {
  return inParent(path, undefined, (dir, name) => removeEntry(dir, name, recursive, undefined));
}

/** The leftovers of interrupted writes in each directory listed so far, by the name each was for. */
export type LeftoverIndex = Map<string, Map<string, string[]>>;

const LEFTOVER = /^\.(.+)\.converge-[0-9a-f]{12}$/;

/**
 * Removes what an interrupted write or mkdir left next to `path` (`.NAME.converge-*`), each
 * announced. A directory is listed once into `index` and looked up by name after that, so a run
 * of many files in one directory does not list it once per file; the caller drops the index
 * whenever it writes. Nearly always there is nothing to remove, so the first look starts from the
 * directories kept open for reads; each name found is removed through the directory pinned anew.
 */
export async function removeLeftovers(path: string, announce: Announce, index: LeftoverIndex, kept: KeptDirs) {
  if (!lookInParent(path, kept, (dir, name) => leftoversOf(dir, name, index).length)) return;
  await inParent(path, undefined, async (dir, name) => {
    for (const f of leftoversOf(dir, name, index)) {
      const target = `${join(dirname(path), f)} (left by an interrupted write)`;
      // A name is unlinked, never followed; a half-made directory goes with what is in it.
      await announce({ kind: "remove", target }, () => removeEntry(dir, f, true, undefined));
    }
  });
}

/** The leftovers beside `name` in `dir`, from its listing in `index` (listed now if it is not there). */
function leftoversOf(dir: PinnedDir, name: string, index: LeftoverIndex): string[] {
  let byName = index.get(dir.path);
  if (!byName) {
    byName = new Map();
    for (const f of readdirSync(dir.at())) {
      const target = LEFTOVER.exec(f)?.[1];
      if (target !== undefined) byName.set(target, [...(byName.get(target) ?? []), f]);
    }
    index.set(dir.path, byName);
  }
  return byName.get(name) ?? [];
}

// Errors that mean the entry changed between a look and an act: look again.
const CHANGED = new Set(["ENOENT", "EISDIR", "ENOTDIR", "ELOOP", "ENOTEMPTY"]);

export async function removeEntry(
  dir: PinnedDir,
  name: string,
  recursive: boolean,
  dev: number | undefined,
): Promise<void> {
  const here = join(dir.path, name);
  for (let attempt = 0; attempt < 3; attempt++) {
    const st = await fs.lstat(dir.at(name)).catch(ifMissing(undefined));
    if (!st) return;
    try {
      if (!st.isDirectory()) return await fs.unlink(dir.at(name));
      if (recursive) await emptyDirectory(dir, name, dev ?? st.dev);
      return await fs.rmdir(dir.at(name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "";
      if (!CHANGED.has(code) || (code === "ENOTEMPTY" && !recursive)) throw err;
    }
  }
  throw new UnsafePath(`${here} keeps changing while converge removes it`);
}

async function emptyDirectory(parent: PinnedDir, name: string, dev: number): Promise<void> {
  const dir = await openChildDir(parent, name);
  try {
    if (dir.stats.dev !== dev)
      throw new UnsafePath(`${dir.path} is another filesystem mounted there; converge does not remove it`);
    for (const entry of await fs.readdir(dir.at())) await removeEntry(dir, entry, true, dev);
  } finally {
    await dir.close();
  }
}
