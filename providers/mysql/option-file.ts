// MySQL/MariaDB option files (.my.cnf): writing a value so the clients read it back exactly, and
// reading a file the way they do (mysys/my_default.c, search_default_file_with_ext), so the backup
// job connects with what mysqldump will use. spec/providers/mysql-option-file.spec.ts holds both
// to my_print_defaults, the clients' own parser.

/** One `name = value` line (value undefined for a bare `name`) and the group it is under. */
export interface OptionLine {
  group: string;
  name: string;
  value?: string;
}

/** The escapes the clients decode; any other backslash pair is kept as written. */
const DECODE: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", s: " ", '"': '"', "'": "'", "\\": "\\" };
const ENCODE: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b" };

/**
 * A value as an option file must hold it to read back exactly: double-quoted, so `#` is not a
 * comment and edge spaces stay, with backslash, quote and the control characters that would end
 * or trim the line escaped.
 */
export function encodeOptionValue(value: string): string {
  return `"${value.replace(/[\\"\n\r\t\b]/g, (c) => ENCODE[c])}"`;
}

/** The clients' whitespace (my_isspace in latin1, ASCII part): what they trim around names and values. */
const SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;

/**
 * A value as the clients read it, from the text after `=` with the comment already cut: trimmed,
 * one pair of matching outer quotes removed, then escapes decoded. Escapes apply whether the value
 * was quoted or not, and inside single quotes too.
 */
export function decodeOptionValue(text: string): string {
  let v = text.replace(SPACE, "");
  if (v.length > 1 && (v[0] === '"' || v[0] === "'") && v[0] === v[v.length - 1]) v = v.slice(1, -1);
  // A backslash that is the last character stays (the C loop does not look past the end).
  return v.replace(/\\([\s\S])/g, (pair, c: string) => DECODE[c] ?? pair);
}

/** The line up to a `#` outside quotes (a quote inside quotes is escaped by a backslash). */
function withoutComment(line: string): string {
  let quote = "";
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if ((c === "'" || c === '"') && !escaped) quote = !quote ? c : quote === c ? "" : quote;
    if (!quote && c === "#") return line.slice(0, i);
    escaped = Boolean(quote) && c === "\\" && !escaped;
  }
  return line;
}

/**
 * Every option line of an option file in order, with its group. Comments (`#`, `;` at the start,
 * `#` outside quotes later), blank lines and `!include` directives are skipped; included files
 * are not read (a generated .my.cnf has none).
 */
export function parseOptionFile(text: string): OptionLine[] {
  const out: OptionLine[] = [];
  let group: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(SPACE, "");
    if (line === "" || "#;!".includes(line[0])) continue;
    if (line[0] === "[") {
      const end = line.indexOf("]");
      // Only trailing space is trimmed inside the brackets; names match case-insensitively (find_type).
      if (end > 0)
        group = line
          .slice(1, end)
          .replace(/[ \t\n\v\f\r]+$/, "")
          .toLowerCase();
      continue;
    }
    if (group === undefined) continue;
    const body = withoutComment(line);
    const eq = body.indexOf("=");
    const name = (eq < 0 ? body : body.slice(0, eq)).replace(SPACE, "");
    out.push({ group, name, ...(eq < 0 ? {} : { value: decodeOptionValue(body.slice(eq + 1)) }) });
  }
  return out;
}

/**
 * The options set in any of `groups`, later lines winning as in the clients. Names are matched the
 * way the clients' option parser does: `_` and `-` alike, and case-insensitively here for leniency.
 */
export function optionsIn(text: string, groups: ReadonlySet<string>): Map<string, string> {
  const options = new Map<string, string>();
  for (const { group, name, value } of parseOptionFile(text))
    if (groups.has(group)) options.set(name.toLowerCase().replace(/_/g, "-"), value ?? "");
  return options;
}
