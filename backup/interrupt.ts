// Ctrl-C or a SIGTERM must not leave a half-filled database or directory behind (restore), or a
// multipart upload in the bucket (run). Instead of dying at once, the first signal aborts the
// work, which then fails through its ordinary clean-up (drop the database, remove the directory,
// abort the upload) and reports; restore and verify exit 128 + the signal's number, as a shell
// does. A second signal exits at once, saying so.
import { constants } from "node:os";

export interface SignalTrap {
  /** Aborted, with "interrupted by SIGINT" as its reason, when the first signal arrives. */
  signal: AbortSignal;
  /** The exit code for the signal received (130, 143), or undefined when none was. */
  exitCode(): number | undefined;
  /** Restores the default handling. */
  release(): void;
}

/**
 * Traps SIGINT and SIGTERM until released; `tag` and `what` name the command and what may be
 * left, `say` is where the messages go (default stderr).
 */
export function trapSignals(
  tag: string,
  what: string,
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): SignalTrap {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const code = (s: NodeJS.Signals) => 128 + constants.signals[s];
  const onSignal = (s: NodeJS.Signals) => {
    if (received) {
      say(`${tag}: ${s} again: exiting before clean-up finished; ${what} may be left behind`);
      process.exit(code(s));
    }
    received = s;
    say(`${tag}: ${s}: stopping and cleaning up (${s} again to exit at once)`);
    controller.abort(`interrupted by ${s}`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    exitCode: () => (received ? code(received) : undefined),
    release: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** Why `signal` was aborted, as a message. */
export const abortReason = (signal: AbortSignal): string => String(signal.reason);
