// A user's crontab: read from cron's spool, installed from stdin with crontab(1), or removed.
import type { Host, HostView } from "../../engine/host.js";
import { stripInstallHeader } from "./crontab.js";

// Debian's cron keeps each user's crontab here, as crontab(1) installed it.
const SPOOL = "/var/spool/cron/crontabs";

/** The user's crontab text, "" when there is none. */
export async function readCrontab(view: HostView, user: string): Promise<string> {
  // Not `crontab -l`: Debian's prints a "\r" or "\b" byte as the two characters "\r" or "\b"
  // (against hidden commands, #585552) and drops up to three leading comments, so installing
  // what it prints would change the user's lines. The spool file holds them as they are.
  const bytes = await view.readFile(`${SPOOL}/${user}`);
  return bytes ? stripInstallHeader(bytes.toString("utf8")) : "";
}

/** Installs text as the user's crontab; an empty text removes the crontab. */
export async function writeCrontab(host: Host, user: string, text: string): Promise<void> {
  if (text.trim() === "") await host.exec(["crontab", "-u", user, "-r"]);
  else await host.exec(["crontab", "-u", user, "-"], { input: text });
}
