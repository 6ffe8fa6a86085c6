// The job's memory between runs: which month already has its monthly backup, and when the last
// successful run ended. Kept per backup name in state_dir, so a failed run on the 1st still
// leaves the month's monthly for a later run, and metrics after a failure still say when the
// backup last succeeded.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface State {
  last_monthly?: string;
  /** ISO time the last successful run ended. */
  last_success?: string;
}

export function statePath(stateDir: string, name: string): string {
  return join(stateDir, `s3-backup-${name}.state.json`);
}

function read(path: string): State {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as State;
  } catch {
    return {};
  }
}

/** The month (YYYY-MM) of the last successful monthly backup, if any. */
export function lastMonthly(stateDir: string, name: string): string | undefined {
  return read(statePath(stateDir, name)).last_monthly;
}

/** Records that `month` has its monthly backup. */
export function recordMonthly(stateDir: string, name: string, month: string): void {
  update(stateDir, name, { last_monthly: month });
}

/** When the last successful run ended, if one did. */
export function lastSuccess(stateDir: string, name: string): Date | undefined {
  const at = read(statePath(stateDir, name)).last_success;
  return at ? new Date(at) : undefined;
}

/** Records that a run ended successfully at `at`. */
export function recordSuccess(stateDir: string, name: string, at: Date): void {
  update(stateDir, name, { last_success: at.toISOString() });
}

/** Merges `change` into the state; written atomically (temp file + rename). */
function update(stateDir: string, name: string, change: State): void {
  const path = statePath(stateDir, name);
  mkdirSync(stateDir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...read(path), ...change })}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
