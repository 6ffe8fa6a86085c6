// Reading an account as the server has it: stored credentials, grants, and the server's flavor.
// Read-only statements only, so load may run them in why-run; logsIn is the exception, see there.
// A run reads each server as few times as it can: one session per server and admin for the whole
// run (the host holds it; VERSION() is read as it opens), one listing of every account (the host
// keeps it until the next write), and SHOW GRANTS for each account that exists. apply's session
// as the admin opens here too: it shares the admin's session limit with the read one.
import type { Host, HostView } from "../../engine/host.js";
import { secretTag } from "../../engine/secrets.js";
import {
  atSessionLimit,
  describeEndpoint,
  logsInAs,
  openReader,
  openWriter,
  retriedAtSessionLimit,
  type Endpoint,
  type ReadSession,
  type WriteSession,
} from "./connection.js";
import { parseGrants, type CurrentGrants } from "./grants.js";
import { accountLabel, type Account } from "./plan.js";
import { parseServerVersion, type Server } from "./server.js";

export interface StoredAccount {
  plugin: string;
  authString: string;
  grants: CurrentGrants;
}

/** How converge reaches a server as its administrator (load and apply alike): where, and as which account. */
export interface Admin {
  endpoint: Endpoint;
  user: string;
  password?: string;
}

/** What load learns of an account: the server's flavor, and the account unless there is none. */
export interface Found {
  server: Server;
  stored?: StoredAccount;
}

/** The server could not be reached or refused the admin; the message is the driver's, never a password. */
export class CannotConnect extends Error {
  override name = "CannotConnect";
}

async function readServer(s: ReadSession): Promise<Server> {
  const [{ v }] = await s.query<{ v: string }>("SELECT VERSION() AS v");
  return parseServerVersion(v);
}

/**
 * The server and the account a (undefined stored when the server has none by that name and host),
 * read on the run's session as admin. A session found gone (the server restarted, the connection
 * was killed or timed out between resources) is replaced once: these reads are safe to repeat.
 * Rejects with CannotConnect when no session can be opened.
 */
export async function findAccount(host: HostView, admin: Admin, a: Account): Promise<Found> {
  try {
    return await readAccount(host, admin, a);
  } catch (err) {
    // Only a session that did die is replaced: any other error (the server's, or a bug) surfaces at once.
    if (!(err instanceof SessionLost)) throw err;
    return readAccount(host, admin, a);
  }
}

/** A read failed because the run's session died under it. */
class SessionLost extends Error {
  override name = "SessionLost";
}

interface Reader {
  session: ReadSession;
  server: Server;
}

interface Listed {
  plugin: string;
  authString: string;
}

async function readAccount(host: HostView, admin: Admin, a: Account): Promise<Found> {
  const key = sessionKey(admin);
  const reader = await host.hold(
    key,
    (lost) => openServer(admin, lost),
    (r) => r.session.close(),
  );
  try {
    const listing = await host.remember(`${key}: accounts`, () => listAccounts(reader.session));
    const listed = listing.get(accountKey(a.name, a.host));
    if (!listed) return { server: reader.server };
    const grantRows = await reader.session.query("SHOW GRANTS FOR ?@?", [a.name, a.host]);
    const grants = parseGrants(grantRows.map((r) => String(Object.values(r)[0])));
    return { server: reader.server, stored: { ...listed, grants } };
  } catch (err) {
    throw reader.session.gone ? new SessionLost((err as Error).message, { cause: err }) : err;
  }
}

/**
 * apply's session as the admin. Where the server lets the admin hold only one session at a time
 * (MAX_USER_CONNECTIONS 1, or max_user_connections), the run's read session gives way to it and
 * the next read opens one anew; elsewhere both stay open, and a no-op run logs in once.
 */
export async function openAdminWriter(host: Host, admin: Admin): Promise<WriteSession> {
  const open = () => openWriter(host, admin.endpoint, admin.user, admin.password);
  try {
    return await open();
  } catch (err) {
    if (!atSessionLimit(err)) throw err;
  }
  await host.release(sessionKey(admin));
  return retriedAtSessionLimit(open);
}

/**
 * Names the session in the host's keys, which debug output shows: sessions with different admin
 * passwords are told apart by a tag of the password, never the password or a plain hash of it.
 */
function sessionKey({ endpoint, user, password }: Admin): string {
  const tag = password === undefined ? "" : ` with password ${secretTag(password)}`;
  return `mysql ${describeEndpoint(endpoint)} as ${user}${tag}`;
}

async function openServer(admin: Admin, lost: () => void): Promise<Reader> {
  // Reopened right after apply's session closed, on a server that allows the admin one session.
  const opened = retriedAtSessionLimit(() => openReader(admin.endpoint, admin.user, admin.password, lost));
  const session = await opened.catch((err: Error) => {
    throw new CannotConnect(err.message, { cause: err });
  });
  try {
    return { session, server: await readServer(session) };
  } catch (err) {
    await session.close().catch(() => {});
    throw err;
  }
}

/** Every account of the server by accountKey. */
async function listAccounts(s: ReadSession): Promise<Map<string, Listed>> {
  const rows = await s.query<{ User: unknown; Host: unknown; plugin: unknown; auth: unknown }>(
    "SELECT User, Host, plugin, authentication_string AS auth FROM mysql.user",
  );
  return new Map(
    rows.map((r) => [
      accountKey(String(r.User), String(r.Host)),
      { plugin: String(r.plugin ?? ""), authString: String(r.auth ?? "") },
    ]),
  );
}

/**
 * An account as the server compares it. User and Host are CHAR columns: the server strips trailing
 * spaces when it returns them and ignores them when it compares, so they are dropped on both sides.
 * Servers lower-case the host part in account statements (MySQL 8 also compares it without case),
 * so a host written in capitals names the account stored in lower case.
 */
const accountKey = (user: string, host: string) =>
  JSON.stringify([user.replace(/ +$/, ""), host.replace(/ +$/, "").toLowerCase()]);

/**
 * True when the account logs in with password. A login is a side effect (failed-login counters such
 * as MySQL's FAILED_LOGIN_ATTEMPTS, audit and general logs), so callers try passwordVerdict first.
 */
export async function logsIn(e: Endpoint, a: Account, password: string): Promise<boolean> {
  return logsInAs(e, a.name, password).catch((err: Error) => {
    throw new Error(`cannot check the password of ${accountLabel(a)} by logging in: ${err.message}`);
  });
}
