// A user's crontab as text, and the entries converge manages in it: a marker comment with the
// entry's name, its variables, then the schedule line. Every other line is kept byte for byte.

export interface CronEntry {
  /** Five fields, or undefined when `special` is used. */
  schedule?: [string, string, string, string, string];
  special?: string;
  command: string;
  /** MAILTO, PATH, SHELL and the rest, in the order written. */
  variables: Record<string, string>;
}

const MARKER = "# converge: ";
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

interface Block {
  start: number;
  /** Index one past the block's last line. */
  end: number;
  entry: CronEntry | undefined;
}

/** Finds the block of the named entry; `entry` is undefined when its lines are damaged. */
function findBlock(lines: string[], name: string): Block | undefined {
  const start = lines.indexOf(MARKER + name);
  if (start < 0) return undefined;
  const variables: Record<string, string> = {};
  let i = start + 1;
  for (; i < lines.length && VARIABLE.test(lines[i]); i++) {
    const [, key, value] = VARIABLE.exec(lines[i])!;
    variables[key] = unquote(value);
  }
  const line = lines[i] ?? "";
  const entry = parseSchedule(line, variables);
  return { start, end: entry ? i + 1 : i, entry };
}

function parseSchedule(line: string, variables: Record<string, string>): CronEntry | undefined {
  const special = /^(@\w+)\s+(.+)$/.exec(line);
  if (special) return { special: special[1], command: special[2], variables };
  const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+)$/.exec(line);
  if (!m || m[1].startsWith("#")) return undefined;
  return { schedule: [m[1], m[2], m[3], m[4], m[5]], command: m[6], variables };
}

/** The named entry in the crontab text, if present and intact. */
export function readEntry(text: string, name: string): CronEntry | undefined {
  return findBlock(text.split("\n"), name)?.entry;
}

export function renderEntry(name: string, e: CronEntry): string[] {
  const vars = Object.entries(e.variables).map(([k, v]) => `${k}=${quote(v)}`);
  const when = e.special ?? e.schedule!.join(" ");
  return [MARKER + name, ...vars, `${when} ${e.command}`];
}

/** The crontab with the named entry set to `entry` (replaced in place, or appended), or removed when undefined. */
export function withEntry(text: string, name: string, entry: CronEntry | undefined): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const block = findBlock(lines, name);
  const replacement = entry ? renderEntry(name, entry) : [];
  if (block) lines.splice(block.start, block.end - block.start, ...replacement);
  else lines.push(...replacement);
  return lines.length ? `${lines.join("\n")}\n` : "";
}

// cron takes a value verbatim, or between matching quotes to keep blanks at its ends.
function quote(v: string): string {
  return v === "" || /^\s|\s$|^["']/.test(v) ? `"${v}"` : v;
}

function unquote(v: string): string {
  const m = /^(["'])(.*)\1$/.exec(v.trim());
  return m ? m[2] : v.trim();
}
