// The crontab command: read a user's crontab, install one from stdin, or remove it.
import type { Host, HostView } from "../../engine/host.js";
import { stripInstallHeader } from "./crontab.js";

/** The user's crontab text, "" when there is none. */
export async function readCrontab(view: HostView, user: string): Promise<string> {
  // Debian's `crontab -l` drops up to three leading comment lines, whether or not they are the
  // header crontab(1) wrote: a hand-written crontab would lose its first comments on rewrite.
  // So ask for the file as it is and strip only the real header ourselves.
  const r = await view.run(["crontab", "-u", user, "-l"], { okExitCodes: [1], env: { CRONTAB_NOHEADER: "N" } });
  if (r.exitCode === 1 && !/no crontab for/.test(r.stderr))
    throw new Error(`crontab -u ${user} -l: ${r.stderr.trim()}`);
  return r.exitCode === 0 ? stripInstallHeader(r.stdout) : "";
}

/** Installs text as the user's crontab; an empty text removes the crontab. */
export async function writeCrontab(host: Host, user: string, text: string): Promise<void> {
  if (text.trim() === "") await host.exec(["crontab", "-u", user, "-r"]);
  else await host.exec(["crontab", "-u", user, "-"], { input: text });
}
