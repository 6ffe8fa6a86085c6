// What why-run may assume. A resource that does not find something it needs (an account, a
// directory) reports the fact; the engine decides: in why-run, when an earlier resource of the
// run provides it, it is assumed and said so; otherwise the resource cannot converge.
import { PreconditionError } from "./errors.js";

/** Something a resource needs, named as `provides` names it: "user:x", "group:x", "dir:/y". */
export type Needed = `${"user" | "group" | "dir"}:${string}`;

/** How a missing thing is told: a hint after the refusal, or what follows from the assumption. */
export interface MissingDetail {
  /** Appended to "directory /y does not exist", e.g. " (set recursive: true to create it)". */
  hint?: string;
  /** Appended to "user x would have been created: ", e.g. "checked as a new account". */
  assuming?: string;
}

const WORDS = { user: "user", group: "group", dir: "directory" } as const;

/**
 * The policy for one run: returns when `thing` may be assumed (recording the assumption with
 * `assume`), throws PreconditionError when it may not.
 */
export function missingPolicy(
  whyRun: boolean,
  provided: ReadonlySet<string>,
  assume: (text: string) => void,
): (thing: Needed, detail?: MissingDetail) => void {
  return (thing, detail = {}) => {
    const colon = thing.indexOf(":");
    const what = `${WORDS[thing.slice(0, colon) as keyof typeof WORDS]} ${thing.slice(colon + 1)}`;
    if (!whyRun || !provided.has(thing)) throw new PreconditionError(`${what} does not exist${detail.hint ?? ""}`);
    assume(`${what} would have been created${detail.assuming ? `: ${detail.assuming}` : ""}`);
  };
}
