// What characters a value may hold. Nearly every string of a run-list or config.yml lands in a
// file line, a crontab, a program's argv or a terminal: a CR or LF there starts a new line (a
// new crontab job, a new config key), a NUL cuts an argv element, ESC or a C1 control drives the
// terminal that shows the output. Only values a schema marks `freeText: "multiline"` (a
// template's content and variables) may span lines.

import { childSchema, type SchemaNode } from "../schema/navigate.js";

// C0 controls (NUL, TAB, LF, CR, ESC...), DEL, C1 controls, and U+2028/U+2029, which JavaScript
// and some editors read as line breaks.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
// With the u flag a paired surrogate is one code point: only a lone one matches.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

type Schema = SchemaNode & {
  sensitive?: boolean;
  /** Text rather than a name; "multiline" may also span lines and hold any character. */
  freeText?: "line" | "multiline";
};

export interface TextProblem {
  /** JSON pointer of the value, relative to where the walk started. */
  path: string;
  problem: string;
}

/** Why `s` cannot be a one-line value, or undefined; the position is left out when `secret`. */
export function lineProblem(s: string, secret = false): string | undefined {
  const m = CONTROL.exec(s);
  if (m)
    return `must not contain control characters (${codePoint(m[0])}${secret ? "" : ` at character ${m.index + 1}`})`;
  return textProblem(s);
}

/** Why `s` cannot be text at all (free text included), or undefined. */
function textProblem(s: string): string | undefined {
  if (LONE_SURROGATE.test(s))
    return "holds a lone UTF-16 surrogate, which is no character and cannot be written as UTF-8";
  return undefined;
}

/**
 * Every string in `value` (object keys included) that cannot be a one-line value, except under
 * schema nodes marked `freeText: "multiline"`, where only what is not text at all is refused.
 * Without a schema, every string must be one line.
 */
export function textProblems(value: unknown, schema?: Schema, path = ""): TextProblem[] {
  if (typeof value === "string") {
    const problem = multiline(schema) ? textProblem(value) : lineProblem(value, schema?.sensitive);
    return problem ? [{ path, problem }] : [];
  }
  if (value === null || typeof value !== "object") return [];
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  return entries.flatMap(([key, v]) => {
    const at = `${path}/${key}`;
    const keyProblem = Array.isArray(value) ? undefined : multiline(schema) ? textProblem(key) : lineProblem(key);
    const child = multiline(schema) ? schema : childSchema(schema, key, Array.isArray(value));
    return [...(keyProblem ? [{ path: at, problem: `its name ${keyProblem}` }] : []), ...textProblems(v, child, at)];
  });
}

const multiline = (schema?: Schema) => schema?.freeText === "multiline";

/** `text` with every control character written as an escape (TAB kept), so that printing it cannot break a line or drive a terminal. */
export function printable(text: string): string {
  return text.replace(new RegExp(CONTROL.source, "gu"), (c) => (c === "\t" ? c : escapeOf(c)));
}

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
const escapeOf = (c: string) =>
  ({ "\n": "\\n", "\r": "\\r", "\0": "\\0" })[c] ?? `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`;
