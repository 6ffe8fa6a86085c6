// Accounts and groups as NSS sees them (getent), with pure parsers for its output.
import type { HostView } from "../../engine/host.js";

export interface Account {
  name: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
}

export interface Group {
  name: string;
  gid: number;
  members: string[];
}

/** Parses one line of `getent passwd`. */
export function parsePasswd(line: string): Account {
  const [name, , uid, gid, comment, home, shell] = line.trim().split(":");
  return { name, uid: Number(uid), gid: Number(gid), comment, home, shell };
}

/** Parses one line of `getent group`. */
export function parseGroup(line: string): Group {
  const [name, , gid, members] = line.trim().split(":");
  return { name, gid: Number(gid), members: members ? members.split(",") : [] };
}

// getent exits 2 when the key is unknown: an answer, not a failure.
async function getent(view: HostView, db: string, key: string | number): Promise<string | undefined> {
  const r = await view.run(["getent", db, String(key)], { okExitCodes: [2] });
  return r.exitCode === 0 ? r.stdout.split("\n")[0] : undefined;
}

/** The account by name or uid, or undefined. */
export async function findAccount(view: HostView, key: string | number): Promise<Account | undefined> {
  const line = await getent(view, "passwd", key);
  return line ? parsePasswd(line) : undefined;
}

/** The group by name or gid, or undefined. */
export async function findGroup(view: HostView, key: string | number): Promise<Group | undefined> {
  const line = await getent(view, "group", key);
  return line ? parseGroup(line) : undefined;
}

/** Names of every group the account belongs to, primary included. */
export async function groupsOf(view: HostView, name: string): Promise<string[]> {
  const r = await view.run(["id", "-nG", name]);
  return r.stdout.trim().split(/\s+/).filter(Boolean);
}
