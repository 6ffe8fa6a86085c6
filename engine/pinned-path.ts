// Reaching a path without being redirected on the way. Root writes into directories other
// accounts own, and a name there can change between the moment it is checked and the moment it
// is used. Node has no openat(2), but on Linux /proc/self/fd/FD/NAME resolves NAME inside the
// directory open as FD, wherever that directory is or is moved meanwhile. So a path is walked
// from / one component at a time, each opened relative to the directory before it with
// O_NOFOLLOW: no name is looked up twice, and a symbolic link is followed only where root alone
// could have made it.
//
// The walk makes its system calls synchronously: each is a few microseconds on a local disk,
// where a promise-based call costs a trip through libuv's thread pool (about eight times as long,
// measured), and a converge does one resource at a time, so nothing waits meanwhile.
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  type Stats,
} from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import { PreconditionError } from "./errors.js";

/** Linux's O_PATH (not in fs.constants): a handle on the entry itself, opened without opening the file. */
export const O_PATH = 0o10000000;

// As the kernel's own limit on links followed in one lookup.
const MAX_LINKS = 40;

/** A path converge will not act through, and why. */
export class UnsafePath extends PreconditionError {
  override name = "UnsafePath";
}

/**
 * True when only root could have put `link` in `dir` or can replace it: root's link in a
 * directory of root's that no one else can write, or in a sticky one (/tmp), where others cannot
 * rename or remove root's entries.
 */
function onlyRootControls(dir: Stats, link: Stats): boolean {
  return dir.uid === 0 && link.uid === 0 && ((dir.mode & 0o022) === 0 || (dir.mode & 0o1000) !== 0);
}

/** An open directory. `at(name)` names an entry of this very directory, whatever happens to its path. */
export class PinnedDir {
  /** Set when KeptDirs holds it: then it closes it, and close() leaves it open. */
  kept = false;

  constructor(
    /** The path it was reached by, links resolved: for messages. */
    readonly path: string,
    readonly fd: number,
    readonly stats: Stats,
  ) {}

  at(name = ""): string {
    return `/proc/self/fd/${this.fd}/${name}`;
  }

  /** Owner and mode of this very directory, through its descriptor. */
  chown(uid: number, gid: number): void {
    fchownSync(this.fd, uid, gid);
  }

  chmod(mode: number): void {
    fchmodSync(this.fd, mode);
  }

  /** Makes the directory's entries (a rename into it) durable. */
  sync(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    if (!this.kept) closeSync(this.fd);
  }
}

/**
 * Directories kept open between writes, so that a run of reads walks from / once per directory,
 * not once per file. Only one that no one but root can change is kept, and only when every
 * directory above it is kept too: then no other account can rename, replace or move anything on
 * its path, so its name leads to it until root changes it. converge's own changes go through the
 * host, which forgets them all at each (host.ts). For reads only: a write walks afresh.
 */
export class KeptDirs {
  private readonly dirs = new Map<string, PinnedDir>();

  /** The deepest kept directory along `names` (a path's components), and the names after it. */
  start(names: string[]): [PinnedDir, string[]] {
    for (let i = names.length; i >= 0; i--) {
      const dir = this.dirs.get(`/${names.slice(0, i).join("/")}`);
      if (dir) return [dir, names.slice(i)];
    }
    return [this.offer(openRoot(), undefined), names];
  }

  /** Keeps `dir`, opened in `parent` (undefined for /), when it qualifies; returns it either way. */
  offer(dir: PinnedDir, parent: PinnedDir | undefined): PinnedDir {
    const aboveKept = parent === undefined || (parent.kept && this.dirs.get(parent.path) === parent);
    // A walk starts below the deepest kept directory on its way, so a path is never offered twice; if it were, the first stays.
    if (aboveKept && !this.dirs.has(dir.path) && dir.stats.uid === 0 && (dir.stats.mode & 0o022) === 0) {
      dir.kept = true;
      this.dirs.set(dir.path, dir);
    }
    return dir;
  }

  /** Closes and forgets them all: after any write, and when the run ends. */
  forget(): void {
    for (const dir of this.dirs.values()) closeSync(dir.fd);
    this.dirs.clear();
  }
}

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/**
 * Opens the directory at `path` (absolute). Resolves to undefined when a component is missing,
 * unless `create`, which makes missing ones (mode 0777 less the umask, as mkdir -p does). Throws
 * UnsafePath at a symbolic link someone other than root controls, or at a component that is not
 * a directory.
 */
export function openDir(path: string, create = false, kept?: KeptDirs): PinnedDir | undefined {
  if (!isAbsolute(path)) throw new UnsafePath(`${path} is not an absolute path`);
  let [dir, todo] = start(components(path), kept);
  let links = 0;
  try {
    while (todo.length) {
      const name = todo.shift()!;
      const here = join(dir.path, name);
      const next = openChild(dir, name, create);
      if (next === undefined) {
        dir.close();
        return undefined;
      }
      if (next instanceof PinnedDir) {
        kept?.offer(next, dir);
        dir.close();
        dir = next;
        continue;
      }
      // A symbolic link: followed only where no one but root could have made or changed it.
      if (!onlyRootControls(dir.stats, next))
        throw new UnsafePath(
          `${here} is a symbolic link in a directory that someone other than root can change; converge does not follow it`,
        );
      if (++links > MAX_LINKS) throw new UnsafePath(`${path}: too many symbolic links`);
      const target = readlinkSync(dir.at(name));
      // dir.path is made of real directories only, so ".." in the target means what it says.
      const resolved = [...components(normalize(isAbsolute(target) ? target : join(dir.path, target))), ...todo];
      dir.close();
      [dir, todo] = start(resolved, kept);
    }
    return dir;
  } catch (err) {
    dir.close();
    throw err;
  }
}

/** The parent directory of `path`, open, with the entry's name in it ("" for "/" itself). */
export function openParent(path: string, create = false, kept?: KeptDirs): [PinnedDir, string] | undefined {
  const parts = components(path);
  const name = parts.pop() ?? "";
  const dir = openDir(`/${parts.join("/")}`, create, kept);
  return dir && [dir, name];
}

/** The entry `name` of `dir`, opened as a directory without following it (ENOTDIR or ELOOP otherwise). */
export function openChildDir(dir: PinnedDir, name: string): PinnedDir {
  const fd = openSync(dir.at(name), DIR_FLAGS);
  try {
    return new PinnedDir(join(dir.path, name), fd, fstatSync(fd));
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The directory entry `name` of `dir` opened as a directory, its lstat if it is a link, or undefined if missing. */
function openChild(dir: PinnedDir, name: string, create: boolean): PinnedDir | Stats | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    const opened = attemptTo(() => openChildDir(dir, name));
    if (!(opened instanceof Error)) return opened;
    if (opened.code === "ENOENT") {
      if (!create) return undefined;
      // Another process may make it first; either way, it is opened (and checked) next round.
      const made = attemptTo(() => mkdirSync(dir.at(name)));
      if (made instanceof Error && made.code !== "EEXIST") throw made;
      continue;
    }
    if (opened.code !== "ENOTDIR" && opened.code !== "ELOOP") throw opened;
    const stats = attemptTo(() => lstatSync(dir.at(name)));
    if (!(stats instanceof Error) && stats.isSymbolicLink()) return stats;
    // Gone or changed since the open: look again.
    if (!(stats instanceof Error) && !stats.isDirectory())
      throw new UnsafePath(`${join(dir.path, name)} is not a directory`);
  }
  throw new UnsafePath(`${join(dir.path, name)} keeps changing while converge opens it`);
}

/** What `act` returns, or the error it threw. */
export function attemptTo<T>(act: () => T): T | NodeJS.ErrnoException {
  try {
    return act();
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
}

function openRoot(): PinnedDir {
  const fd = openSync("/", constants.O_RDONLY | constants.O_DIRECTORY);
  return new PinnedDir("/", fd, fstatSync(fd));
}

/** Where a walk of `names` starts: the deepest kept directory on the way, or / opened anew. */
function start(names: string[], kept?: KeptDirs): [PinnedDir, string[]] {
  return kept ? kept.start(names) : [openRoot(), names];
}

/** The names along an absolute path, "." and empty ones dropped and ".." applied as written. */
function components(path: string): string[] {
  return normalize(path)
    .split("/")
    .filter((c) => c !== "" && c !== ".");
}

/**
 * A read in the pinned parent of `path`, from the deepest directory kept on the way: undefined
 * when the parent does not exist. `look` must be synchronous: a write closes kept directories.
 */
export function lookInParent<T>(
  path: string,
  kept: KeptDirs,
  look: (dir: PinnedDir, name: string) => T,
): T | undefined {
  const parent = openParent(path, false, kept);
  if (!parent) return undefined;
  const [dir, name] = parent;
  try {
    return look(dir, name);
  } finally {
    dir.close();
  }
}

/** Runs `act` in the pinned parent of `path`, or returns `missing` when the parent does not exist. */
export async function inParent<T>(
  path: string,
  missing: T | (() => never),
  act: (dir: PinnedDir, name: string) => T | Promise<T>,
): Promise<T> {
  const parent = openParent(path);
  if (!parent) return typeof missing === "function" ? (missing as () => never)() : missing;
  const [dir, name] = parent;
  try {
    return await act(dir, name);
  } finally {
    dir.close();
  }
}

/** For a `.catch`: `value` when the path is missing, the error otherwise. */
export function ifMissing<T>(value: T) {
  return (err: NodeJS.ErrnoException): T => {
    if (err.code === "ENOENT" || err.code === "ENOTDIR") return value;
    throw err;
  };
}
