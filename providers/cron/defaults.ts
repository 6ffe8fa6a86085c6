// What a job of a user's crontab gets when no line of the crontab assigns a variable: the value a
// managed entry restores after itself for the lines below. Measured with Debian's cron 3.0pl1
// running jobs in a namespace: SHELL=/bin/sh, PATH=/usr/bin:/bin, HOME and LOGNAME from the
// owner's passwd line; no MAILTO, which means mail to the owner, so MAILTO=<owner> says the same.
// Under those, pam_env adds /etc/environment and /etc/default/locale (/etc/pam.d/cron); the
// crontab and the values above win over them.
import type { HostView } from "../../engine/host.js";
import { assign, type Environment } from "./environment.js";

const PAM_ENV_FILES = ["/etc/environment", "/etc/default/locale"];

/** The environment cron gives the jobs of `user` (home dir `home`, when known) before any crontab line. */
export async function cronDefaults(view: HostView, user: string, home: string | undefined): Promise<Environment> {
  const files = await Promise.all(PAM_ENV_FILES.map(async (f) => (await view.readFile(f))?.toString("utf8") ?? ""));
  return defaultsFor(user, home, files);
}

/** Pure part of cronDefaults: the pam_env files' texts, then cron's own settings over them. */
export function defaultsFor(user: string, home: string | undefined, pamFiles: string[]): Environment {
  // pam_env files take `export NAME=value` as well as `NAME=value`.
  const pam = assign(
    {},
    pamFiles.flatMap((text) => text.split("\n").map((l) => l.replace(/^\s*export\s+/, ""))),
  );
  return {
    // glibc reads an unset TZ as the zone in /etc/localtime; TZ="" would mean UTC instead.
    TZ: ":/etc/localtime",
    ...pam,
    SHELL: "/bin/sh",
    PATH: "/usr/bin:/bin",
    ...(home === undefined ? {} : { HOME: home }),
    LOGNAME: user,
    MAILTO: user,
  };
}
