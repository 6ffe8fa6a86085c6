// The crontab command: read a user's crontab, install one from stdin, or remove it.
import type { Host, HostView } from "../../engine/host.js";

/** The user's crontab text, "" when there is none. */
export async function readCrontab(view: HostView, user: string): Promise<string> {
  const r = await view.run(["crontab", "-u", user, "-l"], { okExitCodes: [1] });
  if (r.exitCode === 1 && !/no crontab for/.test(r.stderr))
    throw new Error(`crontab -u ${user} -l: ${r.stderr.trim()}`);
  return r.exitCode === 0 ? r.stdout : "";
}

/** Installs text as the user's crontab; an empty text removes the crontab. */
export async function writeCrontab(host: Host, user: string, text: string): Promise<void> {
  if (text.trim() === "") await host.exec(["crontab", "-u", user, "-r"]);
  else await host.exec(["crontab", "-u", user, "-"], { input: text });
}
