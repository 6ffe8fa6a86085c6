// The one choke point for side effects. Resources read the machine through a HostView while
// they load state and decide; only the runner hands them the writable Host, and only outside
// why-run. Every write announces itself to `observe` first, so a test (or the fault suite) can
// count writes, stop one, or kill the process at the Nth.
import { constants, promises as fs, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { CommandError, WhyRunViolation } from "./errors.js";
import { runProgram } from "./program.js";

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
  readonly whyRun: boolean;
  /** The file's bytes, or undefined when it does not exist. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** lstat, or undefined when nothing is at path. */
  stat(path: string): Promise<Stats | undefined>;
  /** Where a symbolic link points, or undefined when path is not one. */
  readlink(path: string): Promise<string | undefined>;
  /** Runs a program that only reads (no stdin: nothing secret is sent to a read). */
  run(argv: readonly string[], opts?: ReadOptions): Promise<RunResult>;
}

export interface WriteOptions {
  mode: number;
  uid?: number;
  gid?: number;
}

export interface Host extends HostView {
  /** Writes a file so that a crash leaves either the old or the new content, never a mix. */
  writeFileAtomic(path: string, content: string | Buffer, opts: WriteOptions): Promise<void>;
  mkdir(path: string, opts: { recursive: boolean }): Promise<void>;
  chown(path: string, uid: number, gid: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  remove(path: string, opts?: { recursive?: boolean }): Promise<void>;
  /** Creates a symbolic link at `path` pointing to `target`; nothing may be at `path`. */
  symlink(target: string, path: string): Promise<void>;
  /** Runs a program that changes the machine. */
  exec(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Any other side effect (SQL that writes, an API call): described, then carried out. */
  effect<T>(effect: Effect, carryOut: () => Promise<T>): Promise<T>;
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
  crontab: (args) => args.length === 3 && args[0] === "-u" && args[2] === "-l",
  realpath: (args) => args.length === 3 && args[0] === "-e" && args[1] === "--",
};

/**
 * What a child sees of the environment: a fixed PATH and the C locale (output is parsed), plus
 * what the caller passes. Never converge's own environment, which holds secrets given by {"env"}.
 */
const CHILD_ENV = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" };

/** The local machine. In why-run every write throws WhyRunViolation. */
export class LocalHost implements Host {
  /** Answers of read-only programs, kept until the next write. */
  private readonly answers = new Map<string, Promise<RunResult>>();

  constructor(
    readonly whyRun: boolean,
    private readonly observe: Observer = () => {},
  ) {}

  /** The read-only face handed to resources while they load and diff. */
  view(): HostView {
    return {
      whyRun: this.whyRun,
      readFile: (p) => this.readFile(p),
      stat: (p) => this.stat(p),
      readlink: (p) => this.readlink(p),
      run: (argv, o) => this.run(argv, o),
    };
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    return fs.readFile(path).catch(ifMissing(undefined));
  }

  async stat(path: string): Promise<Stats | undefined> {
    return fs.lstat(path).catch(ifMissing(undefined));
  }

  async readlink(path: string): Promise<string | undefined> {
    return fs
      .readlink(path)
      .catch((err: NodeJS.ErrnoException) => (err.code === "EINVAL" ? undefined : ifMissing(undefined)(err)));
  }

  run(argv: readonly string[], opts: ReadOptions = {}): Promise<RunResult> {
    if (!READ_ONLY[argv[0]]?.(argv.slice(1))) {
      return Promise.reject(new WhyRunViolation(`run ${argv[0]} from a read-only view (not known to only read)`));
    }
    // Several resources ask the same (getent passwd backup_shop): until the next write, the
    // answer cannot have changed through us, so it is asked once.
    const key = JSON.stringify([argv, opts]);
    let answer = this.answers.get(key);
    if (!answer) {
      answer = spawn(argv, opts);
      this.answers.set(key, answer);
      answer.catch(() => this.answers.delete(key));
    }
    return answer;
  }

  async effect<T>(effect: Effect, carryOut: () => Promise<T>): Promise<T> {
    if (this.whyRun) throw new WhyRunViolation(`${effect.kind} ${effect.target}`);
    this.observe(effect);
    this.answers.clear();
    try {
      return await carryOut();
    } finally {
      this.answers.clear();
    }
  }

  exec(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.effect({ kind: "exec", target: argv.join(" ") }, () => spawn(argv, opts));
  }

  writeFileAtomic(path: string, content: string | Buffer, opts: WriteOptions): Promise<void> {
    return this.effect({ kind: "write", target: path }, async () => {
      const tmp = join(dirname(path), `.${basename(path)}.converge-${randomBytes(6).toString("hex")}`);
      // Created 0600 so a secret is never readable by others, even for an instant.
      const fh = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await fh.writeFile(content);
        if (opts.uid !== undefined || opts.gid !== undefined) await fh.chown(opts.uid ?? -1, opts.gid ?? -1);
        await fh.chmod(opts.mode);
        await fh.sync();
      } catch (err) {
        await fh.close();
        await fs.rm(tmp, { force: true });
        throw err;
      }
      await fh.close();
      await fs.rename(tmp, path);
      await syncDir(dirname(path));
    });
  }

  mkdir(path: string, opts: { recursive: boolean }): Promise<void> {
    return this.effect({ kind: "mkdir", target: path }, async () => {
      await fs.mkdir(path, { recursive: opts.recursive });
    });
  }

  chown(path: string, uid: number, gid: number): Promise<void> {
    return this.effect({ kind: "chown", target: path }, () => fs.lchown(path, uid, gid));
  }

  chmod(path: string, mode: number): Promise<void> {
    return this.effect({ kind: "chmod", target: path }, () => fs.chmod(path, mode));
  }

  symlink(target: string, path: string): Promise<void> {
    return this.effect({ kind: "symlink", target: path }, () => fs.symlink(target, path));
  }

  remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    return this.effect({ kind: "remove", target: path }, async () => {
      const st = await fs.lstat(path).catch(ifMissing(undefined));
      if (!st) return;
      if (st.isDirectory() && !opts.recursive) await fs.rmdir(path);
      else await fs.rm(path, { recursive: true, force: true });
    });
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function ifMissing<T>(value: T) {
  return (err: NodeJS.ErrnoException): T => {
    if (err.code === "ENOENT" || err.code === "ENOTDIR") return value;
    throw err;
  };
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
