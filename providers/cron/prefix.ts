// An entry's `path` and `environment` travel in its own job line, ahead of its command:
//   K='v'; export K; PATH='/opt/bin'; export PATH; <command>
// cron runs the text after the five fields with `$SHELL -c`, so the variables reach that job and
// no other line; nothing has to be set back after it (a crontab cannot unset a variable, and ""
// is not unset for every program). Before the shell sees the text, cron cuts it at the first
// unescaped "%" (the rest becomes stdin) and turns "\%" into "%"; every other byte is passed as is.
import { basename } from "node:path";

// Shells that run `K='v'; export K;` as POSIX says. rbash is left out: it refuses to set PATH.
const POSIX_SHELLS = new Set(["sh", "bash", "dash", "ash", "ksh", "ksh93", "mksh", "lksh", "zsh", "yash", "posh"]);

/** True when the shell at `path` runs the prefix (a POSIX shell, by its name). */
export function isPosixShell(path: string): boolean {
  return POSIX_SHELLS.has(basename(path));
}

/** `value` as one shell word that survives cron's "%" handling: single-quoted, with ' and % outside the quotes. */
export function shellWord(value: string): string {
  if (value === "") return "''";
  return value
    .split(/(['%])/)
    .filter((part) => part !== "")
    .map((part) => (part === "'" ? "\\'" : part === "%" ? "\\%" : `'${part}'`))
    .join("");
}

/** `value` as one shell word for a cron command: as it is when only safe characters, else shellWord's quoting. */
export function commandWord(value: string): string {
  return /^[\w@+=:,./-]+$/.test(value) ? value : shellWord(value);
}

const NAME = "[A-Za-z_][A-Za-z0-9_]*";
// Exactly what withPrefix writes, one variable at a time; the shell word's parts as shellWord makes them.
const ASSIGNMENT = new RegExp(`^(${NAME})=((?:'[^']*'|\\\\'|\\\\%)+); export \\1; `);

/** The job line's command text: each variable exported (sorted by name, so the text is stable), then `command`. */
export function withPrefix(environment: Record<string, string>, command: string): string {
  const names = Object.keys(environment).sort();
  return names.map((k) => `${k}=${shellWord(environment[k])}; export ${k}; `).join("") + command;
}

/** The variables and the command of a job line's command text, as withPrefix wrote them. */
export function splitPrefix(text: string): { environment: Record<string, string>; command: string } {
  const environment: Record<string, string> = {};
  let rest = text;
  for (let m = ASSIGNMENT.exec(rest); m; m = ASSIGNMENT.exec(rest)) {
    environment[m[1]] = unshellWord(m[2]);
    rest = rest.slice(m[0].length);
  }
  return { environment, command: rest };
}

function unshellWord(word: string): string {
  return [...word.matchAll(/'([^']*)'|\\(['%])/g)].map((m) => m[1] ?? m[2]).join("");
}
