// Accounts and groups as NSS sees them (getent), with pure parsers for its output.
import type { HostView, RunResult } from "../../engine/host.js";

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
async function getent(view: HostView, db: "passwd" | "group", key: string | number): Promise<string | undefined> {
  // Like getent itself: a key that is all digits is an id.
  const line = indexOf(db, await listing(view, db)).get(/^\d+$/.test(String(key)) ? `#${Number(key)}` : String(key));
  if (line !== undefined) return line;
  // getent exits 2 when the key is unknown: an answer, not a failure.
  const r = await view.run(["getent", db, String(key)], { okExitCodes: [2] });
  return r.exitCode === 0 ? r.stdout.split("\n")[0] : undefined;
}

/** The whole database as getent lists it (kept by the host until a write). */
function listing(view: HostView, db: "passwd" | "group"): Promise<string> {
  return view.run(["getent", db], { okExitCodes: [2] }).then((r) => r.stdout);
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

/** Names of every group the account belongs to, primary first; a group without a name by its id, as `id -nG` prints it. */
export async function groupsOf(view: HostView, account: Account): Promise<string[]> {
  const ids = await listedGroupIds(view, account);
  if (!ids) return words(await view.run(["id", "-nG", account.name]));
  const byKey = indexOf("group", await listing(view, "group"));
  return ids.map((id) => byKey.get(`#${id}`)?.split(":")[0] ?? String(id));
}

/** Ids of every group the account belongs to, primary first. */
export async function groupIdsOf(view: HostView, account: Account): Promise<number[]> {
  return (await listedGroupIds(view, account)) ?? words(await view.run(["id", "-G", account.name])).map(Number);
}

function words(r: RunResult): string[] {
  return r.stdout.trim().split(/\s+/).filter(Boolean);
}

/**
 * The account's group ids from the group database's one listing, as initgroups orders them (the
 * primary, then each group listing the account as a member, once), or undefined when the listing
 * may lack some: it holds what `id` would ask NSS for only when every source of the group
 * database lists its entries. files and systemd do; sss, ldap or winbind may not (enumeration
 * is off by default), nor compat's NIS, and then `id` is asked, one program per account.
 */
async function listedGroupIds(view: HostView, account: Account): Promise<number[] | undefined> {
  if (!(await groupSourcesList(view))) return undefined;
  const ids = [account.gid, ...(membersOf(await listing(view, "group")).get(account.name) ?? [])];
  return [...new Set(ids)];
}

/** Whether every source of the group database named in nsswitch.conf lists all its entries. */
function groupSourcesList(view: HostView): Promise<boolean> {
  return view.remember("nsswitch: group sources list", async () => {
    const entry = await view.inspectFile(NSSWITCH);
    // There but not read (not a regular file, several names, too large): what it names is unknown.
    if (entry && !entry.content) return false;
    // Without the file, or without a group line, glibc uses files alone.
    const line = /^group:([^\n#]*)/m.exec(entry?.content?.toString("utf8") ?? "")?.[1] ?? "files";
    // Actions such as [NOTFOUND=return] are not sources.
    const sources = line
      .replace(/\[[^\]]*\]/g, " ")
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    return sources.every((s) => LISTING_SOURCES.has(s));
  });
}

const NSSWITCH = "/etc/nsswitch.conf";
const LISTING_SOURCES = new Set(["files", "systemd"]);

// Each member's group ids in the group database's last listing (the same text until it is listed again).
let lastMembers: { text: string; byMember: Map<string, number[]> } | undefined;

function membersOf(text: string): Map<string, number[]> {
  if (lastMembers?.text === text) return lastMembers.byMember;
  const byMember = new Map<string, number[]>();
  for (const line of text.split("\n")) {
    if (!line.includes(":")) continue;
    const { gid, members } = parseGroup(line);
    for (const m of members) byMember.set(m, [...(byMember.get(m) ?? []), gid]);
  }
  lastMembers = { text, byMember };
  return byMember;
}
