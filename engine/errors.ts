// Every error the two commands raise on purpose, and the one place they map to exit codes
// (../shared/CONTRACT.md: 0 success, 1 run-time failure, 2 bad input, 3 why-run drift).

import { inspect } from "node:util";
import { printable } from "./input/text.js";

export const EXIT = { ok: 0, failed: 1, badInput: 2, drift: 3 } as const;

/** Bad input: run-list, config, flag, recipe. Raised before anything on the host is touched. */
export class InputError extends Error {
  override name = "InputError";
  readonly problems: string[];
  /** One line per problem; the message joins them. A problem quoting input is shown with its control characters escaped. */
  constructor(problems: string[]) {
    const lines = problems.map(printable);
    super(lines.join("\n"));
    this.problems = lines;
  }
}

/** Something a resource needs is not there at run time (a user, a server, a parent directory). */
export class PreconditionError extends Error {
  override name = "PreconditionError";
}

/** A program the host ran exited non-zero. The argv is kept, never the stdin (it may carry secrets). */
export class CommandError extends Error {
  override name = "CommandError";
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
  ) {
    const how = exitCode === undefined ? "failed" : `exited ${exitCode}`;
    super(`${argv.join(" ")} ${how}${stderr ? `: ${stderr.trim()}` : ""}`);
  }
}

/** A write was attempted through the host during why-run: a bug in a resource, never silenced. */
export class WhyRunViolation extends Error {
  override name = "WhyRunViolation";
  constructor(what: string) {
    super(`why-run violation: attempted to ${what}`);
  }
}

/** What went wrong, in words, whatever was thrown: never "undefined" or "[object Object]". */
export function reasonOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === "string") return err;
  return inspect(err, { depth: 2, breakLength: Infinity });
}

/** converge could not take the host's lock in time; nothing was read or changed. */
export class LockTimeout extends Error {
  override name = "LockTimeout";
}

/**
 * The line a failure that reached the top of a command is reported by: its own words for the
 * failures converge expects (bad input, a lock it waited for in vain), kind and reason otherwise.
 */
export function failureLine(err: unknown): string {
  if (err instanceof InputError || err instanceof LockTimeout) return err.message;
  return `${(err as Error)?.name ?? "error"}: ${reasonOf(err)}`;
}

/** The exit code for an error that reached the top of a command. */
export function exitCodeFor(err: unknown): number {
  return err instanceof InputError ? EXIT.badInput : EXIT.failed;
}
