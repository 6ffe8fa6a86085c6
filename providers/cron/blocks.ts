// Finding an entry's block in a crontab. A block is exactly the lines from "# converge: NAME" to
// "# converge end: NAME": its crontab variables, one job line, the variables set back after it.
// A hand edit that leaves anything else between the markers (a comment, a job, a copy of the
// marker), or takes a marker away, is reported, never guessed at: a wrong guess runs a job twice
// or deletes a user's line.
import { CRON_READS, parseAssignment } from "./environment.js";
import { splitPrefix } from "./prefix.js";
import type { CronEntry } from "./crontab.js";

export const MARKER = "# converge: ";
export const END = "# converge end: ";

/** A block whose lines converge cannot take as its own; the message says what is wrong. */
export class DamagedEntry extends Error {
  override name = "DamagedEntry";
}

export interface Block {
  start: number;
  /** Index one past the block's last line. */
  end: number;
  entry: CronEntry;
}

/** The crontab's lines. A CRLF crontab keeps its "\r"s; the parsers below ignore a line's final one. */
const linesOf = (text: string) => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));
const bare = (line: string) => line.replace(/\r$/, "");
const lineNo = (i: number) => i + 1;
const damaged = (what: string): never => {
  throw new DamagedEntry(what);
};

/** Where each name's markers are: line indexes of "# converge: NAME" and of "# converge end: NAME". */
type Markers = Map<string, { starts: number[]; ends: number[] }>;

/** A crontab's lines, where each name's markers are, and (once asked for) the blocks converge can read. */
export interface Crontab {
  readonly lines: readonly string[];
  readonly markers: Markers;
  intact?: Block[];
}

// The crontab parsed last. One entry's load, diff, apply and check after applying, and the next
// entry's load, all ask about the same text: parsed once, a run of N entries stays linear in N
// for each crontab's length instead of parsing every block several times per entry.
let last: { text: string; crontab: Crontab } | undefined;

/** The crontab text as lines with its markers found in one pass; the same object while the text is the same. */
export function crontabOf(text: string): Crontab {
  if (last?.text === text) return last.crontab;
  const lines = linesOf(text);
  const markers: Markers = new Map();
  const at = (name: string) => {
    let m = markers.get(name);
    if (!m) markers.set(name, (m = { starts: [], ends: [] }));
    return m;
  };
  lines.forEach((l, i) => {
    const line = bare(l);
    if (line.startsWith(MARKER)) at(line.slice(MARKER.length)).starts.push(i);
    else if (line.startsWith(END)) at(line.slice(END.length)).ends.push(i);
  });
  last = { text, crontab: { lines, markers } };
  return last.crontab;
}

/** The named entry's block, undefined when the crontab has none; throws DamagedEntry when hand edits broke it. */
export function locate({ lines, markers }: Crontab, name: string): Block | undefined {
  const { starts, ends } = markers.get(name) ?? { starts: [], ends: [] };
  const [marker, end] = [MARKER + name, END + name];
  for (const [text, at] of [
    [marker, starts],
    [end, ends],
  ] as const)
    if (at.length > 1) damaged(`"${text}" is there ${at.length} times (lines ${at.map(lineNo).join(", ")})`);
  if (!starts.length)
    return ends.length ? damaged(`"${end}" (line ${lineNo(ends[0])}) has no "${marker}" above it`) : undefined;
  const start = starts[0];
  if (!ends.length) return damaged(`"${end}" is missing below "${marker}" (line ${lineNo(start)})`);
  if (ends[0] < start) damaged(`"${end}" (line ${lineNo(ends[0])}) comes before "${marker}"`);
  return { start, end: ends[0] + 1, entry: blockEntry(lines, start, ends[0]) };
}

/** Every block converge can read (damaged ones left out), top to bottom. */
export function intactBlocks(crontab: Crontab): Block[] {
  crontab.intact ??= [...crontab.markers].flatMap(([name, { starts }]) => {
    if (!starts.length) return [];
    try {
      return [locate(crontab, name)!];
    } catch (e) {
      if (e instanceof DamagedEntry) return [];
      throw e;
    }
  });
  return crontab.intact;
}

// Entries read so far, by the lines between their markers. Each entry's load reads every block
// of the crontab (which lines are converge's, for the variables above it), and in a run of many
// entries all blocks but the one just written are those read for the entry before: without
// this, a run of N entries parsed about N x N / 2 blocks. Only intact blocks are kept (a damaged
// one's message names its line numbers); entries are never changed once read.
const readBefore = new Map<string, CronEntry>();
const READ_BEFORE_MAX = 100_000;

/** The entry between the markers at `start` and `end`: variables, one job line, variables. */
function blockEntry(lines: readonly string[], start: number, end: number): CronEntry {
  const key = lines.slice(start + 1, end).join("\n");
  let entry = readBefore.get(key);
  if (!entry) {
    entry = parseBlock(lines, start, end);
    for (const part of [entry.schedule, entry.environment, entry.variables, entry.restore]) Object.freeze(part);
    Object.freeze(entry);
    if (readBefore.size >= READ_BEFORE_MAX) readBefore.clear();
    readBefore.set(key, entry);
  }
  return entry;
}

/** blockEntry's parse; throws DamagedEntry naming the lines when the block is not as converge writes it. */
function parseBlock(lines: readonly string[], start: number, end: number): CronEntry {
  const span = `lines ${lineNo(start)}-${lineNo(end)}`;
  const body = lines.slice(start + 1, end).map(bare);
  const jobs = body.flatMap((l, i) => (parseJob(l) ? [start + 1 + i] : []));
  if (jobs.length !== 1)
    damaged(
      jobs.length
        ? `its block (${span}) holds ${jobs.length} job lines (lines ${jobs.map(lineNo).join(", ")}) where converge wrote one`
        : `its block (${span}) has no job line`,
    );
  const stray = body.findIndex((l) => !isBlockVariable(l) && !parseJob(l));
  if (stray >= 0)
    damaged(
      `line ${lineNo(start + 1 + stray)} ${JSON.stringify(body[stray])} is inside its block (${span}) and converge did not write it`,
    );
  const job = jobs[0] - start - 1;
  const unmatched = unmatchedVariable(body, job);
  if (unmatched !== undefined)
    damaged(
      unmatched < body.length
        ? `line ${lineNo(start + 1 + unmatched)} ${JSON.stringify(body[unmatched])} is inside its block (${span}) and converge did not write it`
        : `a variable set before its job line is not set back after it (${span})`,
    );
  return entryOf(body.slice(0, job), body[job], body.slice(job + 1));
}

/**
 * The index in `body` of the first variable line converge would not have written there, or
 * body.length when one is missing: each variable is set once before the job line and set back
 * after it, in the same order. A user's variable line in between would be lost in a rewrite.
 */
function unmatchedVariable(body: string[], job: number): number | undefined {
  const names = (ls: string[]) => ls.map((l) => parseAssignment(l)![0]);
  const set = names(body.slice(0, job));
  const back = names(body.slice(job + 1));
  const twice = set.findIndex((k, i) => set.indexOf(k) !== i);
  if (twice >= 0) return twice;
  const extra = back.findIndex((k, i) => k !== set[i]);
  if (extra >= 0) return job + 1 + extra;
  return back.length < set.length ? body.length : undefined;
}

// Only the shape converge writes counts as a block's variable line; `A = b` is a user's.
const isVariable = (line: string) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line) && parseAssignment(line) !== undefined;

// A block sets only what cron reads itself as crontab lines; the job's own environment is in its command line.
const isBlockVariable = (line: string) => isVariable(line) && CRON_READS.includes(parseAssignment(line)![0]);

function entryOf(before: string[], job: string, after: string[]): CronEntry {
  const read = (ls: string[]) => Object.fromEntries(ls.map((l) => parseAssignment(l)!));
  const { when, text } = parseJob(job)!;
  const { environment, command } = splitPrefix(text);
  return { ...when, command, environment, variables: read(before), restore: read(after) };
}

/** The schedule and the command text of a job line (what follows the five fields or the @keyword). */
export function parseJob(line: string): { when: Pick<CronEntry, "schedule" | "special">; text: string } | undefined {
  if (/^\s*#/.test(line) || isVariable(line)) return undefined;
  const special = /^(@\w+)\s+(.+)$/.exec(line);
  if (special) return { when: { special: special[1] }, text: special[2] };
  const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+)$/.exec(line);
  return m ? { when: { schedule: [m[1], m[2], m[3], m[4], m[5]] }, text: m[6] } : undefined;
}
