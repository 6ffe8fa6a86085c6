// How a report says that one property differs. Every resource phrases "property X from A to B"
// here, so the wording of a change is decided in one place, from data the diff already holds.
import type { Change } from "./resource.js";

/**
 * The three wordings reports print today. They differ on purpose only in so far as users and
 * scripts read them: "assign" for an account's fields, "ownership" for a path's owner, group and
 * mode, "entry" for a field of a crontab entry.
 */
export type Wording = "assign" | "ownership" | "entry";

export interface PropertyDifference {
  property: string;
  /** How the property is named in the sentence, when not by its key ("mode of /x"). */
  label?: string;
  /** The value now; undefined when there is none. */
  was?: string | number;
  /** The value wanted; undefined when it goes away. */
  want?: string | number;
}

const QUOTES: Record<Wording, (v: string | number) => string> = {
  assign: (v) => JSON.stringify(v),
  ownership: (v) => `'${v}'`,
  entry: (v) => JSON.stringify(v),
};

/** A change that says the property goes from `was` to `want`, carrying `op` for apply. */
export function propertyChange<O>(wording: Wording, d: PropertyDifference, op: O): Change<O> {
  return { property: d.property, summary: phrase(wording, d), op };
}

/** The sentence for one property's difference, in the given wording. */
export function phrase(wording: Wording, { property, label = property, was, want }: PropertyDifference): string {
  const q = QUOTES[wording];
  const core =
    want === undefined
      ? `${label} removed (was ${q(was!)})`
      : was === undefined
        ? wording === "entry"
          ? `${label} set to ${q(want)}`
          : `set ${label} to ${q(want)}`
        : wording === "assign"
          ? `set ${label} to ${q(want)} (was ${q(was)})`
          : `${wording === "ownership" ? "change " : ""}${label} from ${q(was)} to ${q(want)}`;
  return wording === "entry" ? `update crontab entry: ${core}` : core;
}
