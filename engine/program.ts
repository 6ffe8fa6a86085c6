// Running a program to its end and collecting what it printed: the one way converge's host and
// the backup job's small helper programs (mysql, du) are run. Streams that must stay streams
// (tar, mysqldump, zstd) are not run this way.
import { spawn } from "node:child_process";

/**
 * What a child sees of the environment: a fixed PATH and the C locale (output is parsed), plus
 * what the caller passes. Never the engine's own environment, which holds secrets given by {"env"}.
 */
export const CHILD_ENV = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" };

export interface Finished {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ProgramOptions {
  /** Sent on stdin, then closed; stdin is empty otherwise. */
  input?: string;
  /** The whole environment of the child; inherited when absent. */
  env?: NodeJS.ProcessEnv;
  /** Kills the program (SIGTERM) when aborted; it then ends with that signal. */
  signal?: AbortSignal;
}

/** Runs file with args and resolves when it ends, whatever its exit code; rejects only if it cannot start. */
export function runProgram(file: string, args: readonly string[], opts: ProgramOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env, stdio: ["pipe", "pipe", "pipe"] });
    // Killed by hand rather than through spawn's own `signal`, which would reject with an
    // AbortError: an aborted program is an ending like any other, reported by its signal.
    const kill = () => child.kill("SIGTERM");
    opts.signal?.addEventListener("abort", kill, { once: true });
    child.once("close", () => opts.signal?.removeEventListener("abort", kill));
    if (opts.signal?.aborted) kill();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    // A program that exits without reading its stdin must not fail with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
    child.once("error", reject);
    child.once("close", (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}
