// How cron reads and how converge writes a crontab's variable lines (`NAME=value`). A variable
// line applies to every job line below it, until the same name is assigned again. Reading follows
// Debian cron's load_env (3.0pl1-162) state by state: crontab(1) refuses, as "bad minute", any
// line that is neither a valid assignment nor a valid job, so a near miss is not harmless.

export type Environment = Record<string, string>;

// C's isspace(): a value's trailing blanks and the blanks around "=" are these.
const isBlank = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
// cron reads at most MAX_ENVSTR (1000) bytes of a variable line and cuts the rest silently.
const MAX_LINE_BYTES = 998;

/** The (name, value) cron reads from a crontab line, or undefined when cron does not take it as an assignment. */
export function parseAssignment(line: string): [string, string] | undefined {
  // cron skips leading blanks, then reads a name and a value, each one optionally quoted: a quoted
  // one ends at the first matching quote, after which only blanks may follow.
  let c = line.replace(/^[ \t]+/, "");
  if (c === "" || c.startsWith("#")) return undefined;
  const name = readWord(c, true);
  if (!name) return undefined;
  c = name.rest.replace(/^[ \t\n\v\f\r]*/, "");
  if (!c.startsWith("=")) return undefined;
  c = c.slice(1).replace(/^[ \t\n\v\f\r]*/, "");
  // An empty value must be quoted: "A=" is a bad line for cron.
  if (c === "") return undefined;
  const value = readWord(c, false);
  return value && [name.word, value.word];
}

/** One quoted or bare word at the start of `s`: a name stops at a blank or "=", a value at the end of the line. */
function readWord(s: string, isName: boolean): { word: string; rest: string } | undefined {
  const q = s[0] === "'" || s[0] === '"' ? s[0] : "";
  if (q) {
    const close = s.indexOf(q, 1);
    const word = s.slice(1, close);
    // An unterminated quote, or a quoted name holding "=", is not an assignment.
    if (close < 0 || (isName && word.includes("="))) return undefined;
    const rest = s.slice(close + 1);
    if (!isName && [...rest].some((ch) => !isBlank(ch))) return undefined;
    return { word, rest };
  }
  if (!isName) return { word: s.replace(/[ \t\n\v\f\r]+$/, ""), rest: "" };
  const end = [...s].findIndex((ch) => isBlank(ch) || ch === "=");
  return end < 0 ? undefined : { word: s.slice(0, end), rest: s.slice(end) };
}

/** `base` with the assignments among `lines` applied in order. */
export function assign(base: Environment, lines: readonly string[]): Environment {
  const env = { ...base };
  for (const line of lines) {
    const a = parseAssignment(line);
    if (a) env[a[0]] = a[1];
  }
  return env;
}

/** Why `value` cannot be written as a crontab variable, or undefined when it can. */
export function variableProblem(value: string): string | undefined {
  if (/[\n\r\0]/.test(value)) return "must be a single line without NUL";
  // cron has no escapes: a quoted value ends at the first matching quote.
  if (needsQuotes(value) && value.includes("'") && value.includes('"'))
    return `cron cannot read it back: it needs quotes (it is empty, starts with a quote or has a blank at an end) and contains both ' and "`;
  if (Buffer.byteLength(value) > MAX_LINE_BYTES - "MAILTO=''".length) return "is too long for a crontab variable";
  return undefined;
}

const needsQuotes = (v: string) => v === "" || /^['"]/.test(v) || isBlank(v[0]) || isBlank(v[v.length - 1]);

/** `NAME=value` as cron reads it back to exactly `value` (see variableProblem for what cannot be). */
export function variableLine(name: string, value: string): string {
  const problem = variableProblem(value);
  if (problem) throw new Error(`${name} ${JSON.stringify(value)}: ${problem}`);
  if (!needsQuotes(value)) return `${name}=${value}`;
  return value.includes('"') ? `${name}='${value}'` : `${name}="${value}"`;
}

/**
 * The variables cron itself reads from the crontab (for mail, the shell, the working directory),
 * so they must be crontab lines, not variables of the job's shell.
 */
export const CRON_READS = ["MAILTO", "MAILFROM", "SHELL", "HOME", "CONTENT_TYPE", "CONTENT_TRANSFER_ENCODING"];

/** What cron uses for a crontab-level variable no line sets: the owner gets the mail, /bin/sh runs the jobs. */
export const crontabDefaults = (user: string): Environment => ({ MAILTO: user, SHELL: "/bin/sh" });
