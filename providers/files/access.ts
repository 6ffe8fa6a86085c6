// Whether an account may reach, read or execute a path, from permission bits alone, read through
// the host view: every directory on the way (of the path as written and of where its symlinks
// lead) must let it search, and the file itself must let it read or execute. POSIX ACLs are not
// consulted; they are rare on the system paths this checks.
import type { Stats } from "node:fs";
import { dirname } from "node:path";
import type { HostView } from "../../engine/host.js";
import { modeString } from "../../engine/stats.js";
import { findAccount, findGroup } from "../users/accounts.js";

/** Who asks: uid undefined is an account not created yet, which owns nothing. */
export interface Who {
  uid?: number;
  gids: number[];
}

export type Want = "read" | "execute";

/** Pure: whether these bits let who search a directory (want "execute") or read/execute a file. */
export function permits(st: Pick<Stats, "mode" | "uid" | "gid">, who: Who, want: Want): boolean {
  // Root passes every check but execute, which needs some x bit.
  if (who.uid === 0) return want === "read" || (st.mode & 0o111) !== 0;
  const bit = want === "read" ? 4 : 1;
  // The owner class decides alone for the owner, the group class for a member: not the best of both.
  const shift = who.uid !== undefined && st.uid === who.uid ? 6 : who.gids.includes(st.gid) ? 3 : 0;
  return ((st.mode >> shift) & bit) !== 0;
}

/** "/", "/a", "/a/b" for "/a/b/c". */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let d = dirname(path); ; d = dirname(d)) {
    out.unshift(d);
    if (d === "/") return out;
  }
}

/** Why who cannot read or execute path, or undefined when it can. */
export async function accessProblem(view: HostView, who: Who, path: string, want: Want): Promise<string | undefined> {
  const target = await view.realpath(path);
  if (target === undefined) return `${path} does not exist`;
  for (const dir of new Set([...ancestors(path), ...ancestors(target)])) {
    const st = await statOf(view, dir);
    if (st?.isDirectory() && !permits(st, who, "execute"))
      return `${dir} (${await describe(view, st)}) does not let it through to ${path}`;
  }
  const st = (await statOf(view, target))!;
  if (!permits(st, who, want))
    return `${target} (${await describe(view, st)}) is not ${want === "read" ? "readable" : "executable"} by it`;
  return undefined;
}

/**
 * The lstat of path, kept until the host's next write: every check of a run walks the same
 * system directories (/, /usr, the interpreter's), one per account and path.
 */
function statOf(view: HostView, path: string): Promise<Stats | undefined> {
  return view.remember(`lstat ${path}`, () => view.stat(path));
}

/** "mode 0700, owner root:root", as ls would name them. */
async function describe(view: HostView, st: Stats): Promise<string> {
  const owner = (await findAccount(view, st.uid))?.name ?? st.uid;
  const group = (await findGroup(view, st.gid))?.name ?? st.gid;
  return `mode ${modeString(st)}, owner ${owner}:${group}`;
}
