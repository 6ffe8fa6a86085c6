// The job's memory between runs: which month already has its monthly backup. Kept per backup
// name in state_dir, so a failed run on the 1st still leaves the month's monthly for a later run.
import { join } from "node:path";
import { writeFileAtomic, type System } from "./system.js";

interface State {
  last_monthly?: string;
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

/** Records that `month` has its monthly backup; written atomically, nothing left if the disk is full. */
export function recordMonthly(sys: System, stateDir: string, name: string, month: string): void {
  const path = statePath(stateDir, name);
  sys.fs.mkdirSync(stateDir, { recursive: true });
  writeFileAtomic(sys, path, `${JSON.stringify({ ...read(sys, path), last_monthly: month })}\n`);
}
