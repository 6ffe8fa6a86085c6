// The job's memory between runs: which month already has its monthly backup. Kept per backup
// name in state_dir, so a failed run on the 1st still leaves the month's monthly for a later run.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface State {
  last_monthly?: string;
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

/** Records that `month` has its monthly backup; written atomically (temp file + rename). */
export function recordMonthly(stateDir: string, name: string, month: string): void {
  const path = statePath(stateDir, name);
  mkdirSync(stateDir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...read(path), last_monthly: month })}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
