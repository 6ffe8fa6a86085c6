// The job's memory between runs: which month already has its monthly backup, and when the last
// successful run ended. Kept per backup name in state_dir, so a failed run on the 1st still
// leaves the month's monthly for a later run, and metrics after a failure still say when the
// backup last succeeded.
import { join } from "node:path";
import { writeFileAtomic, type System } from "./system.js";

interface State {
  last_monthly?: string;
  /** ISO time the last successful run ended. */
  last_success?: string;
}

export function statePath(stateDir: string, name: string): string {
  return join(stateDir, `s3-backup-${name}.state.json`);
}

function read(sys: System, path: string): State {
  try {
    return JSON.parse(sys.fs.readFileSync(path, "utf8")) as State;
  } catch {
    return {};
  }
}

/** The month (YYYY-MM) of the last successful monthly backup, if any. */
export function lastMonthly(sys: System, stateDir: string, name: string): string | undefined {
  return read(sys, statePath(stateDir, name)).last_monthly;
}

/** Records that `month` has its monthly backup. */
export function recordMonthly(sys: System, stateDir: string, name: string, month: string): void {
  update(sys, stateDir, name, { last_monthly: month });
}

/** When the last successful run ended, if one did. */
export function lastSuccess(sys: System, stateDir: string, name: string): Date | undefined {
  const at = read(sys, statePath(stateDir, name)).last_success;
  return at ? new Date(at) : undefined;
}

/** Records that a run ended successfully at `at`. */
export function recordSuccess(sys: System, stateDir: string, name: string, at: Date): void {
  update(sys, stateDir, name, { last_success: at.toISOString() });
}

/** Merges `change` into the state; written atomically, nothing left if the disk is full. */
function update(sys: System, stateDir: string, name: string, change: State): void {
  const path = statePath(stateDir, name);
  sys.fs.mkdirSync(stateDir, { recursive: true });
  writeFileAtomic(sys, path, `${JSON.stringify({ ...read(sys, path), ...change })}\n`);
}
