// What cron gives each job line of a crontab, as a pure model the cron specs check converge's
// crontabs against (and, once, against a real cron daemon). Measured with Debian's cron 3.0pl1:
// SHELL=/bin/sh, PATH=/usr/bin:/bin, HOME and LOGNAME from the owner's passwd line; no MAILTO,
// which means mail to the owner. pam_env adds /etc/environment and /etc/default/locale
// (/etc/pam.d/cron) under them; the crontab's lines win over both.
import { assign, type Environment, parseAssignment } from "../../providers/cron/environment.js";
import { splitPrefix } from "../../providers/cron/prefix.js";
import { parseJob } from "../../providers/cron/blocks.js";

/** The environment cron gives the jobs of `user` before any crontab line, over the pam_env files' texts. */
export function defaultsFor(user: string, home: string | undefined, pamFiles: string[]): Environment {
  // pam_env files take `export NAME=value` as well as `NAME=value`.
  const pam = assign(
    {},
    pamFiles.flatMap((text) => text.split("\n").map((l) => l.replace(/^\s*export\s+/, ""))),
  );
  return {
    // glibc reads an unset TZ as the zone in /etc/localtime.
    TZ: ":/etc/localtime",
    ...pam,
    SHELL: "/bin/sh",
    PATH: "/usr/bin:/bin",
    ...(home === undefined ? {} : { HOME: home }),
    LOGNAME: user,
    MAILTO: user,
  };
}

/** What cron hands `$SHELL -c`: the command text cut at the first unescaped "%", with "\%" made "%" (do_command.c). */
export function shellText(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "%") break;
    if (text[i] === "\\" && text[i + 1] === "%") {
      out += "%";
      i++;
    } else if (text[i] === "\\") {
      out += text.slice(i, i + 2);
      i++;
    } else out += text[i];
  }
  return out;
}

/** Every job line of the crontab with the environment its command runs with, given the owner's defaults. */
export function jobEnvironments(text: string, defaults: Environment): { line: string; env: Environment }[] {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  return lines.flatMap((line, i) => {
    const job = /\S/.test(line) && !parseAssignment(line) ? parseJob(line.trimStart()) : undefined;
    if (!job) return [];
    // cron sets LOGNAME to the owner after reading the crontab (crontab(5)); the job's shell then exports its prefix.
    const crontab = { ...assign(defaults, lines.slice(0, i)), LOGNAME: defaults.LOGNAME };
    return [{ line, env: { ...crontab, ...splitPrefix(job.text).environment } }];
  });
}
