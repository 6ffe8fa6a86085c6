// The host's file operations, each acting on what it checked. The parent directory is pinned
// (pinned-path.ts); the entry is opened without following it, and read, owned and moded through
// that descriptor. A file is never chowned or chmodded in place: a name in a directory someone
// else can write may be a link to a file that is not ours, so a file gets its owner and mode by
// being written anew (a temporary file set up through its descriptor, then renamed over the name).
import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  promises as fs,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  type Stats,
} from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join, normalize } from "node:path";
import { PreconditionError } from "./errors.js";
import { removeEntry } from "./host-remove.js";
import {
  attemptTo,
  ifMissing,
  inParent,
  type KeptDirs,
  lookInParent,
  O_PATH,
  openChildDir,
  openDir,
  openParent,
  type PinnedDir,
  UnsafePath,
} from "./pinned-path.js";

/** Files larger than this are not read (they are rewritten, never diffed): 64 MiB. */
export const MAX_READ = 64 * 1024 * 1024;

export interface FileEntry {
  /** The entry's own lstat: a symbolic link's, never its target's. */
  stats: Stats;
  /**
   * The bytes, read from the very descriptor the stats came from; only for a regular file with
   * one name (a hard link may be another file's content) of at most MAX_READ bytes.
   */
  content?: Buffer;
  /** No one but root, or the file's own owner, could have put this file under this name. */
  trusted: boolean;
}

export interface WriteOptions {
  mode: number;
  uid?: number;
  gid?: number;
}

/** Carries out one side effect after announcing it (the host's gate: why-run, observer). */
export type Announce = <T>(effect: { kind: string; target: string }, carryOut: () => Promise<T>) => Promise<T>;

// The reads below are synchronous for the reason pinned-path.ts gives (a no-op converge is made
// of them), and start from the directories the host keeps open between writes.

/** What is at `path`, without following it; the content of a plain file. Undefined when nothing is there. */
export function inspectFile(path: string, kept: KeptDirs): FileEntry | undefined {
  return lookInParent(path, kept, (dir, name) => {
    const fd = orMissing(() => openSync(dir.at(name), O_PATH | constants.O_NOFOLLOW));
    if (fd === undefined) return undefined;
    try {
      const stats = fstatSync(fd);
      const plain = stats.isFile() && stats.nlink === 1 && stats.size <= MAX_READ;
      // Reopening the O_PATH descriptor through /proc opens that very inode: no name is looked up again.
      const content = plain ? readAtMost(`/proc/self/fd/${fd}`, MAX_READ) : undefined;
      return { stats, content, trusted: placedByOwnerOrRoot(dir.stats, stats) };
    } finally {
      closeSync(fd);
    }
  });
}

/** lstat of `path`, reached through pinned directories; undefined when nothing is there. */
export function lstatPath(path: string, kept: KeptDirs): Stats | undefined {
  return lookInParent(path, kept, (dir, name) => orMissing(() => lstatSync(dir.at(name))));
}

/** Where the symbolic link at `path` points, reached through pinned directories; undefined when it is not one. */
export function readlinkPath(path: string, kept: KeptDirs): string | undefined {
  return lookInParent(path, kept, (dir, name) => {
    const target = attemptTo(() => readlinkSync(dir.at(name)));
    if (!(target instanceof Error)) return target;
    if (target.code === "EINVAL") return undefined;
    return ifMissing(undefined)(target);
  });
}

/**
 * Where `path` leads with every symbolic link on the way followed, as realpath(3) resolves it;
 * undefined when it leads nowhere (a component missing, or links that loop). Only reads: a
 * check of where a path leads, never a way to a file that is then written.
 */
export function realPath(path: string): Promise<string | undefined> {
  const real = attemptTo(() => realpathSync.native(path));
  if (!(real instanceof Error)) return Promise.resolve(real);
  if (real.code === "ELOOP") return Promise.resolve(undefined);
  return Promise.resolve(ifMissing(undefined)(real));
}

/** What `read` returns, or undefined when the path is missing (ifMissing's rule). */
function orMissing<T>(read: () => T): T | undefined {
  const r = attemptTo(read);
  return r instanceof Error ? ifMissing(undefined)(r) : r;
}

/** Makes a symbolic link at `path` (nothing may be there) inside its pinned parent directory. */
export function symlinkPath(target: string, path: string): Promise<void> {
  return inParent(
    path,
    () => {
      throw new Error(`cannot link ${path}: its directory does not exist`);
    },
    (dir, name) => fs.symlink(target, dir.at(name)),
  );
}

/** The names in the directory at `path`, or undefined when there is none. */
export function listDir(path: string, kept: KeptDirs): string[] | undefined {
  const dir = openDir(path, false, kept);
  if (!dir) return undefined;
  try {
    return readdirSync(dir.at());
  } finally {
    dir.close();
  }
}

/**
 * Writes a file so that a crash leaves the old content or the new, with owner and mode set before
 * it gets its name. Two side effects, each announced: the temporary file, then the rename.
 */
export function writeAtomic(path: string, content: string | Buffer, opts: WriteOptions, announce: Announce) {
  return placeAtomically(path, "write", false, announce, async (dir, tmp) => {
    // Created 0600 and never through a link: a secret is never readable by others, even for an instant.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const fh = await fs.open(dir.at(tmp), flags, 0o600);
    try {
      await fh.writeFile(content);
      await setUp(fh, opts);
      await fh.sync();
    } catch (err) {
      await fs.unlink(dir.at(tmp)).catch(() => {});
      throw err;
    } finally {
      await fh.close();
    }
  });
}

/**
 * Makes a directory with its owner and mode, the same way: made under a temporary name, set up
 * through its descriptor, then renamed into place, so a crash never leaves one half made. With
 * `recursive`, missing parents are made first (as mkdir -p makes them).
 */
export function makeDir(path: string, recursive: boolean, opts: WriteOptions, announce: Announce) {
  return placeAtomically(path, "mkdir", recursive, announce, async (dir, tmp) => {
    await fs.mkdir(dir.at(tmp), 0o700);
    try {
      const made = openChildDir(dir, tmp);
      try {
        await setUp(made, opts);
      } finally {
        made.close();
      }
    } catch (err) {
      await fs.rmdir(dir.at(tmp)).catch(() => {});
      throw err;
    }
  });
}

/**
 * Makes `path` under the name `.NAME.converge-XXXXXXXXXXXX` beside it (`make` cleans up after
 * itself if it fails), then renames it over `path` in the same pinned directory: a link there is
 * replaced, never followed. A crash leaves the old entry or the new, and at most that leftover.
 */
async function placeAtomically(
  path: string,
  kind: string,
  makeParents: boolean,
  announce: Announce,
  make: (dir: PinnedDir, tmp: string) => Promise<void>,
): Promise<void> {
  const tmp = `.${lastName(path)}.converge-${randomBytes(6).toString("hex")}`;
  const tmpPath = join(dirname(path), tmp);
  let parent: [PinnedDir, string] | undefined;
  try {
    await announce({ kind, target: tmpPath }, async () => {
      parent = await openParent(path, makeParents);
      if (!parent) missingParent(path)();
      await make(parent![0], tmp);
    });
    const [dir, name] = parent!;
    try {
      await announce({ kind: "rename", target: `${tmpPath} -> ${path}` }, () => fs.rename(dir.at(tmp), dir.at(name)));
    } catch (err) {
      // Announced like every other change: an observer counting or stopping writes sees it too.
      await announce({ kind: "remove", target: tmpPath }, () => removeEntry(dir, tmp, true, undefined)).catch(() => {});
      throw err;
    }
    dir.sync();
  } finally {
    parent?.[0].close();
  }
}

/** What can be given an owner and a mode through its descriptor: an open file or a pinned directory. */
type Ownable = Pick<FileHandle, "chown" | "chmod"> | PinnedDir;

async function setUp(handle: Ownable, opts: WriteOptions): Promise<void> {
  if (opts.uid !== undefined || opts.gid !== undefined) await handle.chown(opts.uid ?? -1, opts.gid ?? -1);
  await handle.chmod(opts.mode);
}

/** Runs `act` on the descriptor of the directory at `path`; anything but a directory is refused. */
export function onDirectory(path: string, act: (dir: PinnedDir) => void): Promise<void> {
  return inParent(path, missingParent(path), (parent, name) => {
    const dir = attemptTo(() => openChildDir(parent, name));
    if (dir instanceof Error) {
      if (dir.code === "ENOTDIR" || dir.code === "ELOOP")
        throw new UnsafePath(
          `${path} is not a directory (converge gives a file its owner and mode only by writing it anew)`,
        );
      throw dir;
    }
    try {
      act(dir);
    } finally {
      dir.close();
    }
  });
}

/** No one but root, or the file's own owner, can put a file under a name in this directory. */
function placedByOwnerOrRoot(dir: Stats, file: Stats): boolean {
  return (dir.mode & 0o022) === 0 && (dir.uid === 0 || dir.uid === file.uid);
}

function readAtMost(path: string, max: number): Buffer | undefined {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) return Buffer.concat(chunks, total);
      total += bytesRead;
      if (total > max) return undefined;
      chunks.push(buffer.subarray(0, bytesRead));
    }
  } finally {
    closeSync(fd);
  }
}

const missingParent = (path: string) => (): never => {
  throw new PreconditionError(`directory ${dirname(path)} does not exist`);
};

const lastName = (path: string) => basename(normalize(path));
