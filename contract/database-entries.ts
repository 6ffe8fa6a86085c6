// The config's database entries, read without a server: plain names, % patterns ("wp_%": every
// database starting "wp_"), or "db t1 t2". `%` is the only wildcard and `_` is literal, exactly as
// mysql_user grants the same entry (providers/mysql/privileges.ts databasePattern).

/** True when a config entry is a pattern: one word with an unescaped % (`_` is literal here). */
export function isPattern(entry: string): boolean {
  return !entry.includes(" ") && /(^|[^\\])[%]/.test(entry);
}

/** A plain entry's parts: "db t1 t2" is database db, tables t1 and t2; "db" is the whole database. */
export function splitEntry(entry: string): { database: string; tables: string[] } {
  const [database, ...tables] = entry.trim().split(/\s+/);
  return { database, tables };
}

/** A database pattern as a RegExp: % any run, everything else literal, backslash escapes. */
export function patternToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\" && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (c === "%") re += ".*";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}
