// The grants of an account as data, and a pure parser of SHOW GRANTS output (MariaDB 10.x and
// MySQL 8 print the same shapes). What this module cannot model one privilege at a time (column
// and routine privileges) is kept as `unrevocable` lines, which the plan clears with one
// REVOKE ALL, so nothing an account collected is ever silently kept.

/** Where privileges apply: "*" or a name. `db` is the grant pattern as stored, escapes included (`wp\_%`). */
export interface Scope {
  db: string;
  table: string;
}

/** An account or role as printed after GRANT/TO: `name`@`host`, or a bare role name. */
export interface Principal {
  name: string;
  host?: string;
}

/** Privileges per scope, keyed by scopeLabel(scope). */
export type GrantMap = Map<string, { scope: Scope; privileges: Set<string> }>;

export interface CurrentGrants {
  grants: GrantMap;
  /** Roles granted to the account. */
  roles: Principal[];
  /** Accounts it may proxy as (GRANT PROXY ON ...). */
  proxies: Principal[];
  /** Lines only REVOKE ALL PRIVILEGES, GRANT OPTION can undo (column, routine, unparsable). */
  unrevocable: string[];
}

/** Names as servers print them; MariaDB 10.5+ renamed REPLICATION CLIENT. */
const ALIASES: Record<string, string> = { "BINLOG MONITOR": "REPLICATION CLIENT" };

/** A privilege name as printed by a server: words, never quotes or parentheses. */
const PRIVILEGE = /^[A-Z][A-Z_]*( [A-Z][A-Z_]*)*$/;

/** A scope as SQL shows it: `*.*`, `` `shop`.* ``, `` `shop`.`t` `` (backticks doubled, for display and keys). */
export function scopeLabel({ db, table }: Scope): string {
  return `${quoteName(db)}.${quoteName(table)}`;
}

const quoteName = (s: string) => (s === "*" ? "*" : `\`${s.replace(/`/g, "``")}\``);

/** Adds privileges to a scope of the map (merging, as the server does for repeated lines). */
export function addGrant(map: GrantMap, scope: Scope, privileges: Iterable<string>): void {
  const key = scopeLabel(scope);
  const entry = map.get(key) ?? { scope, privileges: new Set<string>() };
  for (const p of privileges) entry.privileges.add(p);
  if (entry.privileges.size) map.set(key, entry);
}

/** Parses the rows of `SHOW GRANTS FOR account` (one statement per row). */
export function parseGrants(lines: readonly string[]): CurrentGrants {
  const out: CurrentGrants = { grants: new Map(), roles: [], proxies: [], unrevocable: [] };
  for (const line of lines) {
    // MySQL 8 with partial_revokes prints REVOKE lines: restrictions, not rights.
    if (!line.startsWith("GRANT ")) continue;
    if (!parseLine(line.slice(6), out)) out.unrevocable.push(line);
  }
  return out;
}

/** One line after "GRANT "; false when it must be undone wholesale. */
function parseLine(text: string, out: CurrentGrants): boolean {
  const on = topLevelIndex(text, " ON ", 0);
  const to = topLevelIndex(text, " TO ", 0);
  if (to < 0) return false;
  if (on < 0 || on > to) {
    // GRANT role TO account
    const role = new Cursor(text.slice(0, to)).principal();
    if (!role) return false;
    out.roles.push(role);
    return true;
  }
  const names = splitTopLevel(text.slice(0, on));
  const object = new Cursor(text.slice(on + 4, to));
  const tail = text.slice(to + 4);
  if (names.length === 1 && names[0] === "PROXY") {
    const target = object.principal();
    if (!target) return false;
    out.proxies.push(target);
    return true;
  }
  if (!names.every((n) => PRIVILEGE.test(n))) return false; // column privileges: SELECT (`a`)
  const scope = object.scope();
  if (!scope) return false; // ON PROCEDURE / FUNCTION / PACKAGE
  const privileges = names.map((n) => ALIASES[n] ?? n).filter((n) => n !== "USAGE");
  if (grantsOption(tail)) privileges.push("GRANT OPTION");
  addGrant(out.grants, scope, privileges);
  return true;
}

/** True when the part after TO (account, then options) says WITH ... GRANT OPTION. */
function grantsOption(tail: string): boolean {
  const at = topLevelIndex(tail, " WITH ", 0);
  return at >= 0 && /\bGRANT OPTION\b/.test(tail.slice(at));
}

/** Index of needle outside quotes and parentheses, or -1. */
function topLevelIndex(text: string, needle: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "`" || c === "'" || c === '"') i = skipQuoted(text, i);
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && text.startsWith(needle, i)) return i;
  }
  return -1;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let at = topLevelIndex(text, ",", 0); at >= 0; at = topLevelIndex(text, ",", start)) {
    parts.push(text.slice(start, at).trim());
    start = at + 1;
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** Index of the closing quote of the quoted token opening at i (doubled quotes and, in strings, backslashes escape). */
function skipQuoted(text: string, i: number): number {
  const q = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (q !== "`" && text[j] === "\\") j++;
    else if (text[j] === q) {
      if (text[j + 1] !== q) return j;
      j++;
    }
  }
  return text.length;
}

/** Reads identifiers from the object part of a grant line. */
class Cursor {
  private i = 0;
  constructor(private readonly text: string) {}

  /** `db`.`table`, `db`.*, *.* exactly, or undefined. */
  scope(): Scope | undefined {
    const db = this.name();
    if (db === undefined || !this.eat(".")) return undefined;
    const table = this.name();
    return table !== undefined && this.done() ? { db, table } : undefined;
  }

  /** `name`@`host`, 'name'@'host' or a bare `role`, exactly, or undefined. */
  principal(): Principal | undefined {
    const name = this.name();
    if (name === undefined || name === "*") return undefined;
    if (!this.eat("@")) return this.done() ? { name } : undefined;
    const host = this.name();
    return host !== undefined && this.done() ? { name, host } : undefined;
  }

  private name(): string | undefined {
    const c = this.text[this.i];
    if (c === "*") return (this.i++, "*");
    if (c === "`" || c === "'") {
      const end = skipQuoted(this.text, this.i);
      if (end >= this.text.length) return undefined;
      const raw = this.text.slice(this.i + 1, end);
      this.i = end + 1;
      return c === "`" ? raw.replace(/``/g, "`") : unescapeString(raw);
    }
    const m = /^[A-Za-z0-9_$]+/.exec(this.text.slice(this.i));
    if (!m) return undefined;
    this.i += m[0].length;
    return m[0];
  }

  private eat(c: string): boolean {
    if (this.text[this.i] !== c) return false;
    this.i++;
    return true;
  }

  private done(): boolean {
    return this.i === this.text.length;
  }
}

/** The value of a single-quoted SQL string's body ('' and backslash escapes). */
function unescapeString(raw: string): string {
  return raw.replace(/''/g, "'").replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", "0": "\0" })[c] ?? c);
}
