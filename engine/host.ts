// The one choke point for side effects. Resources read the machine through a HostView while
// they load state and decide; only the runner hands them the writable Host, and only outside
// why-run. Every write announces itself to `observe` first, so a test (or the fault suite) can
// count writes, stop one, or kill the process at the Nth. Files are reached through pinned
// directories and acted on through descriptors (host-files.ts), so a name another account
// controls cannot redirect a read or a write.
import type { Stats } from "node:fs";
import { CommandError, WhyRunViolation } from "./errors.js";
import * as files from "./host-files.js";
import { type LeftoverIndex, removeLeftovers, removePath } from "./host-remove.js";
import type { FileEntry, WriteOptions } from "./host-files.js";
import { Held, keep } from "./host-kept.js";
import { KeptDirs } from "./pinned-path.js";
import { CHILD_ENV, runProgram } from "./program.js";

export type { FileEntry, WriteOptions } from "./host-files.js";

export interface RunOptions {
  /** Sent on stdin: the only way a secret may reach a program. */
  input?: string;
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (e.g. 2 from `getent` for "no such key"). */
  okExitCodes?: number[];
}

export type ReadOptions = Omit<RunOptions, "input">;

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface Effect {
  /** What kind of write, e.g. "write", "exec", "sql". */
  kind: string;
  /** What it acts on: a path, an argv, a description. Never a secret. */
  target: string;
}

export interface HostView {
  /**
   * What is at path, looked at without following it, and the content of a regular file with one
   * name (read from the descriptor that was checked); undefined when nothing is there.
   */
  inspectFile(path: string): Promise<FileEntry | undefined>;
  /** lstat (a link's own), or undefined when nothing is at path. */
  stat(path: string): Promise<Stats | undefined>;
  /** Where a symbolic link points, or undefined when path is not one. */
  readlink(path: string): Promise<string | undefined>;
  /** Where path leads with every link on the way followed, or undefined when it leads nowhere. */
  realpath(path: string): Promise<string | undefined>;
  /** The names in a directory, or undefined when there is none. */
  list(path: string): Promise<string[] | undefined>;
  /** Runs a program that only reads (no stdin: nothing secret is sent to a read). */
  run(argv: readonly string[], opts?: ReadOptions): Promise<RunResult>;
  /**
   * compute's answer, asked once and kept under key until the next write (any write: the host
   * cannot tell what compute read); a rejected answer is not kept. key names what is read and
   * is logged at debug level: never a secret in it.
   */
  remember<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /**
   * What open opens (a connection), opened once under key and closed with close when the run
   * ends; a failed open is not kept. open is handed `lost`, to call when what it opened has died
   * (it is then forgotten, not closed, and the next call opens anew). key, as for remember.
   */
  hold<T>(key: string, open: (lost: () => void) => Promise<T>, close: (held: T) => Promise<void>): Promise<T>;
}

export interface Host extends HostView {
  /**
   * Writes a file so that a crash leaves either the old or the new content, never a mix, with
   * its owner and mode set before it gets its name; whatever was at the name (a link, another
   * file's hard link) is replaced, never written through. The only way a file's owner or mode changes.
   */
  writeFileAtomic(path: string, content: string | Buffer, opts: WriteOptions): Promise<void>;
  /**
   * Makes a directory that appears already owned and moded (made under a temporary name, then
   * renamed), and with `recursive` its missing parents; mode default 0755.
   */
  mkdir(path: string, opts: { recursive: boolean } & Partial<WriteOptions>): Promise<void>;
  /** Sets a directory's owner through its descriptor; anything else at path is refused. */
  chown(path: string, uid: number, gid: number): Promise<void>;
  /** Sets a directory's mode through its descriptor; anything else at path is refused. */
  chmod(path: string, mode: number): Promise<void>;
  /** Unlinks a name (never what a link points to), or removes a directory, with its contents if recursive. */
  remove(path: string, opts?: { recursive?: boolean }): Promise<void>;
  /** Creates a symbolic link at `path` pointing to `target`; nothing may be at `path`. */
  symlink(target: string, path: string): Promise<void>;
  /** Removes what an interrupted write or mkdir of path left behind. */
  removeLeftovers(path: string): Promise<void>;
  /** Runs a program that changes the machine. */
  exec(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Any other side effect (SQL that writes, an API call): described, then carried out. */
  effect<T>(effect: Effect, carryOut: () => Promise<T>): Promise<T>;
  /** Closes what hold opened under key before the run ends (the next hold opens anew). */
  release(key: string): Promise<void>;
}

export type Observer = (effect: Effect) => void;

/**
 * The programs a HostView may run: each only reads, with these arguments. Anything else is a
 * write by definition and goes through Host.exec, where why-run stops it. Add to this list
 * with care: it is what keeps load and diff free of side effects.
 */
const READ_ONLY: Record<string, (args: readonly string[]) => boolean> = {
  getent: () => true,
  id: () => true,
};

/** Programs whose writes change nothing a READ_ONLY program answers (crontabs are read as files). */
const KEEPS_ANSWERS = new Set(["crontab"]);

/** The local machine. In why-run every write throws WhyRunViolation. */
export class LocalHost implements Host {
  /** Answers of read-only programs by argv, kept until a write that may change them. */
  private readonly answers = new Map<string, Promise<unknown>>();
  /** remember's answers by key, kept until any write. */
  private readonly remembered = new Map<string, Promise<unknown>>();
  /** Interrupted writes' leftovers by directory, listed once until any write (tidy asks per resource). */
  private readonly leftovers: LeftoverIndex = new Map();
  /** What hold opened, until the run ends. */
  private readonly held = new Held();
  /** Directories only root can change, kept open for reads until any write (pinned-path.ts). */
  private readonly keptDirs = new KeptDirs();

  constructor(
    readonly whyRun: boolean,
    private readonly observe: Observer = () => {},
  ) {}

  /** The read-only face handed to resources while they load and diff. */
  view(): HostView {
    return {
      inspectFile: (p) => this.inspectFile(p),
      stat: (p) => this.stat(p),
      readlink: (p) => this.readlink(p),
      realpath: (p) => this.realpath(p),
      list: (p) => this.list(p),
      run: (argv, o) => this.run(argv, o),
      remember: (key, compute) => this.remember(key, compute),
      hold: (key, open, close) => this.hold(key, open, close),
    };
  }

  inspectFile(path: string): Promise<FileEntry | undefined> {
    return settled(() => files.inspectFile(path, this.keptDirs));
  }

  stat(path: string): Promise<Stats | undefined> {
    return settled(() => files.lstatPath(path, this.keptDirs));
  }

  list(path: string): Promise<string[] | undefined> {
    return settled(() => files.listDir(path, this.keptDirs));
  }

  readlink(path: string): Promise<string | undefined> {
    return settled(() => files.readlinkPath(path, this.keptDirs));
  }

  realpath(path: string): Promise<string | undefined> {
    // Every check of a run follows the same interpreter and code: asked once until the next write.
    return this.remember(`realpath ${path}`, () => files.realPath(path));
  }

  run(argv: readonly string[], opts: ReadOptions = {}): Promise<RunResult> {
    if (!READ_ONLY[argv[0]]?.(argv.slice(1))) {
      return Promise.reject(new WhyRunViolation(`run ${argv[0]} from a read-only view (not known to only read)`));
    }
    // Several resources ask the same (getent passwd backup_shop): until the next write, the
    // answer cannot have changed through us, so it is asked once.
    return keep(this.answers, JSON.stringify([argv, opts]), () => spawn(argv, opts));
  }

  remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
    return keep(this.remembered, key, compute);
  }

  hold<T>(key: string, open: (lost: () => void) => Promise<T>, close: (held: T) => Promise<void>): Promise<T> {
    return this.held.hold(key, open, close);
  }

  release(key: string): Promise<void> {
    return this.held.release(key);
  }

  /** Ends the run: closes what hold opened, and the directories kept. */
  close(): Promise<void> {
    this.keptDirs.forget();
    return this.held.closeAll();
  }

  effect<T>(effect: Effect, carryOut: () => Promise<T>): Promise<T> {
    return this.write(effect, carryOut);
  }

  /** Carries out a write, forgetting every answer it may change (programs' answers are kept if `keepAnswers`). */
  private async write<T>(effect: Effect, carryOut: () => Promise<T>, keepAnswers = false): Promise<T> {
    if (this.whyRun) throw new WhyRunViolation(`${effect.kind} ${effect.target}`);
    this.observe(effect);
    this.forget(keepAnswers);
    try {
      return await carryOut();
    } finally {
      this.forget(keepAnswers);
    }
  }

  /** Forgets what a write may have changed: every remembered answer, listing and kept directory, and programs' answers unless kept. */
  private forget(keepAnswers: boolean): void {
    this.remembered.clear();
    this.leftovers.clear();
    this.keptDirs.forget();
    if (!keepAnswers) this.answers.clear();
  }

  exec(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    // Installing a crontab changes crontabs only: the accounts read before (getent, id) still hold,
    // so a run of many cron entries lists the passwd database once, not once per entry.
    return this.write({ kind: "exec", target: argv.join(" ") }, () => spawn(argv, opts), KEEPS_ANSWERS.has(argv[0]));
  }

  async writeFileAtomic(path: string, content: string | Buffer, opts: WriteOptions): Promise<void> {
    if (this.whyRun) throw new WhyRunViolation(`write ${path}`);
    await files.writeAtomic(path, content, opts, (e, carryOut) => this.effect(e, carryOut));
  }

  async mkdir(path: string, opts: { recursive: boolean } & Partial<WriteOptions>): Promise<void> {
    if (this.whyRun) throw new WhyRunViolation(`mkdir ${path}`);
    const { recursive, mode = 0o755, uid, gid } = opts;
    await files.makeDir(path, recursive, { mode, uid, gid }, (e, carryOut) => this.effect(e, carryOut));
  }

  chown(path: string, uid: number, gid: number): Promise<void> {
    return this.effect({ kind: "chown", target: path }, () => files.onDirectory(path, (d) => d.chown(uid, gid)));
  }

  chmod(path: string, mode: number): Promise<void> {
    return this.effect({ kind: "chmod", target: path }, () => files.onDirectory(path, (d) => d.chmod(mode)));
  }

  symlink(target: string, path: string): Promise<void> {
    return this.effect({ kind: "symlink", target: path }, () => files.symlinkPath(target, path));
  }

  remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    return this.effect({ kind: "remove", target: path }, () => removePath(path, Boolean(opts.recursive)));
  }

  async removeLeftovers(path: string): Promise<void> {
    if (this.whyRun) throw new WhyRunViolation(`remove leftovers of ${path}`);
    await removeLeftovers(path, (e, carryOut) => this.effect(e, carryOut), this.leftovers, this.keptDirs);
  }
}

/** A synchronous read as a promise: what it returns, or a rejection with what it threw. */
function settled<T>(read: () => T): Promise<T> {
  try {
    return Promise.resolve(read());
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Runs a program to completion. node:child_process (through runProgram) rather than execa here:
 * this is the one hot path of every converge, and execa alone costs about as long to load as a
 * getent takes to run.
 */
async function spawn(argv: readonly string[], opts: RunOptions): Promise<RunResult> {
  const [file, ...args] = argv;
  const r = await runProgram(file, args, { input: opts.input, env: { ...CHILD_ENV, ...opts.env } }).catch((e: Error) =>
    Promise.reject(new CommandError(argv, undefined, e.message)),
  );
  if (r.code === 0 || (r.code !== null && (opts.okExitCodes ?? []).includes(r.code))) {
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
  }
  throw new CommandError(argv, r.code ?? undefined, r.code === null ? `killed by ${r.signal}` : r.stderr);
}
