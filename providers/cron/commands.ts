// A user's crontab: read from cron's spool, installed from stdin with crontab(1), or removed.
import { PreconditionError } from "../../engine/errors.js";
import type { Host, HostView } from "../../engine/host.js";
import { stripInstallHeader } from "./crontab.js";

// Debian's cron keeps each user's crontab here, as crontab(1) installed it.
const SPOOL = "/var/spool/cron/crontabs";

/**
 * The user's crontab text, "" when there is none. Each of a run's entries for the user asks for
 * it, and reading the whole file for each was the bulk of a no-op: it is read again only when it
 * changed (an install renames a new file into place), so an edit made meanwhile by the user or
 * another program is seen, and never overwritten with what an earlier entry read.
 */
export async function readCrontab(view: HostView, user: string): Promise<string> {
  const path = `${SPOOL}/${user}`;
  const st = await view.stat(path);
  const version = st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : "none";
  return view.remember(`crontab ${user} ${version}`, () => readSpool(view, path));
}

async function readSpool(view: HostView, path: string): Promise<string> {
  // Not `crontab -l`: Debian's prints a "\r" or "\b" byte as the two characters "\r" or "\b"
  // (against hidden commands, #585552) and drops up to three leading comments, so installing
  // what it prints would change the user's lines. The spool file holds them as they are.
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
