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

/**
 * The database's line for key (a name, or a number for the id in the third field), or undefined.
 * The whole database is listed once (`getent passwd`), which the host keeps until our next
 * write, so a run looks accounts up without a program per lookup. A key not in the listing is
 * still asked for on its own: NSS sources may decline to list their entries (sssd, LDAP).
 */
async function getent(view: HostView, db: string, key: string | number): Promise<string | undefined> {
  const listing = await view.run(["getent", db], { okExitCodes: [2] });
  // Like getent itself: a key that is all digits is an id.
  const line = indexOf(db, listing.stdout).get(/^\d+$/.test(String(key)) ? `#${Number(key)}` : String(key));
  if (line !== undefined) return line;
  // getent exits 2 when the key is unknown: an answer, not a failure.
  const r = await view.run(["getent", db, String(key)], { okExitCodes: [2] });
  return r.exitCode === 0 ? r.stdout.split("\n")[0] : undefined;
}

// The index of each database's last listing (the same text until the host lists it again after a write).
const indexed = new Map<string, { text: string; byKey: Map<string, string> }>();

/** Each line of a listing by its name and by "#" and its id; the first line wins, as getent's lookups do. */
function indexOf(db: string, text: string): Map<string, string> {
  const last = indexed.get(db);
  if (last?.text === text) return last.byKey;
  const byKey = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [name, , id] = line.split(":");
    if (id === undefined) continue;
    if (!byKey.has(name)) byKey.set(name, line);
    if (!byKey.has(`#${id}`)) byKey.set(`#${id}`, line);
  }
  indexed.set(db, { text, byKey });
  return byKey;
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
