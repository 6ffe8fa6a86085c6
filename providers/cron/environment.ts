// How cron reads variable lines: an assignment applies to every job line below it, until the
// same name is assigned again; what no line assigns comes from cron's defaults for the owner.
// Pure, so the environment any line of a crontab runs with can be computed and tested.

export type Environment = Record<string, string>;

/** `NAME=value` as cron reads it (blanks around "=" allowed, matching quotes around the value dropped); undefined for any other line. */
export function parseAssignment(line: string): [string, string] | undefined {
  // A job line never matches: its first field ("0", "*/5", "@daily") is followed by a blank, not "=".
  const m = /^\s*([^\s#=]+)\s*=(.*)$/.exec(line);
  return m ? [m[1], unquote(m[2])] : undefined;
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

/** Every job line of the crontab with the environment cron runs it with, given the owner's defaults. */
export function jobEnvironments(text: string, defaults: Environment): { line: string; env: Environment }[] {
  const lines = text.split("\n");
  return lines.flatMap((line, i) =>
    isJob(line) ? [{ line, env: { ...assign(defaults, lines.slice(0, i)), ...forced(defaults) } }] : [],
  );
}

const isJob = (line: string) => /\S/.test(line) && !/^\s*#/.test(line) && !parseAssignment(line);

// cron sets LOGNAME to the owner after reading the crontab: a LOGNAME line has no effect (crontab(5)).
const forced = (defaults: Environment): Environment => (defaults.LOGNAME ? { LOGNAME: defaults.LOGNAME } : {});

// cron keeps a value verbatim, or between matching quotes to keep blanks at its ends.
export function quote(v: string): string {
  return v === "" || /^\s|\s$|^["']/.test(v) ? `"${v}"` : v;
}

export function unquote(v: string): string {
  const m = /^(["'])(.*)\1$/.exec(v.trim());
  return m ? m[2] : v.trim();
}
