// The json format of a failure that has no report (bad input, a refusal, an unexpected error):
// still one JSON document on stdout, so a CI consumer always has something to parse.
import { EXIT, InputError, exitCodeFor, failureLine } from "../errors.js";
import { redactor } from "../secrets.js";

export interface ErrorDocument {
  error: {
    /** "bad_input" (exit 2) or "failed" (exit 1). */
    kind: "bad_input" | "failed";
    exit_code: number;
    /** The same lines the doc format prints, split into where (a JSON path, a flag, a file) and what. */
    problems: { where?: string; message: string }[];
  };
}

/** The error document for err, scrubbed of every known secret. */
export function errorDocument(err: unknown): string {
  const code = exitCodeFor(err);
  const lines = err instanceof InputError ? err.problems : [failureLine(err)];
  const doc: ErrorDocument = {
    error: {
      kind: code === EXIT.badInput ? "bad_input" : "failed",
      exit_code: code,
      problems: lines.map(splitProblem),
    },
  };
  return JSON.stringify(redactor.scrubValue(doc), null, 2);
}

/** "run_list/1 (cron_entry[x]) properties/minute: must match ..." -> where and message. */
function splitProblem(line: string): { where?: string; message: string } {
  const at = line.indexOf(": ");
  return at > 0 ? { where: line.slice(0, at), message: line.slice(at + 2) } : { message: line };
}
