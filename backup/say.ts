// What the operator's commands (restore, verify) print. They may run on the backed-up host, as
// a scheduled drill whose output lands in mail or syslog there, so object keys are masked as in
// the job's own log (backup/keys.ts maskKeys): a full key is all a stolen job key needs to
// overwrite a backup. Runs are named by their masked key and S3's date, enough to tell apart.
import { maskKeys } from "./keys.js";

/** Writes `text` to stdout with keys masked. */
export function say(text: string): void {
  process.stdout.write(maskKeys(text));
}

/** Writes `text` to stderr with keys masked. */
export function complain(text: string): void {
  process.stderr.write(maskKeys(text));
}
