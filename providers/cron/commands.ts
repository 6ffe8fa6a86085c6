// A user's crontab: read from cron's spool, installed from stdin with crontab(1), or removed.
import { PreconditionError } from "../../engine/errors.js";
import type { Host, HostView } from "../../engine/host.js";
import { stripInstallHeader } from "./crontab.js";

// Debian's cron keeps each user's crontab here, as crontab(1) installed it.
const SPOOL = "/var/spool/cron/crontabs";

/**
 * The user's crontab text, "" when there is none. Read once until the next write: each of a run's
 * entries for the user asks for it, and the whole file read for each was the bulk of a no-op.
 */
export function readCrontab(view: HostView, user: string): Promise<string> {
  return view.remember(`crontab ${user}`, () => readSpool(view, user));
}

async function readSpool(view: HostView, user: string): Promise<string> {
  // Not `crontab -l`: Debian's prints a "\r" or "\b" byte as the two characters "\r" or "\b"
  // (against hidden commands, #585552) and drops up to three leading comments, so installing
  // what it prints would change the user's lines. The spool file holds them as they are.
  const path = `${SPOOL}/${user}`;
  const file = await view.inspectFile(path);
  if (!file) return "";
  // cron itself refuses a crontab that is a link or not a regular file; converge leaves it alone.
  if (!file.content)
    throw new PreconditionError(`${path} is not a regular file with one name; converge does not read it`);
  return stripInstallHeader(file.content.toString("utf8"));
}

/** Installs text as the user's crontab; an empty text removes the crontab. */
export async function writeCrontab(host: Host, user: string, text: string): Promise<void> {
  if (text.trim() === "") await host.exec(["crontab", "-u", user, "-r"]);
  else await host.exec(["crontab", "-u", user, "-"], { input: text });
}
