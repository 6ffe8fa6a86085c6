// Reading an account as the server has it: stored credentials, grants, and the server's flavor.
// Read-only statements only, so load may run them in why-run; logsIn is the exception, see there.
import { logsInAs, type Endpoint, type ReadSession } from "./connection.js";
import { parseGrants, type CurrentGrants } from "./grants.js";
import { accountLabel, type Account } from "./plan.js";
import { parseServerVersion, type Server } from "./server.js";

export interface StoredAccount {
  plugin: string;
  authString: string;
  grants: CurrentGrants;
}

export async function readServer(s: ReadSession): Promise<Server> {
  const [{ v }] = await s.query<{ v: string }>("SELECT VERSION() AS v");
  return parseServerVersion(v);
}

/** The account, or undefined when the server has none by that name and host. */
export async function readAccount(s: ReadSession, a: Account): Promise<StoredAccount | undefined> {
  const rows = await s.query<{ plugin: unknown; auth: unknown }>(
    "SELECT plugin, authentication_string AS auth FROM mysql.user WHERE User = ? AND Host = ?",
    [a.name, a.host],
  );
  if (!rows.length) return undefined;
  const grantRows = await s.query("SHOW GRANTS FOR ?@?", [a.name, a.host]);
  return {
    plugin: String(rows[0].plugin ?? ""),
    authString: String(rows[0].auth ?? ""),
    grants: parseGrants(grantRows.map((r) => String(Object.values(r)[0]))),
  };
}

/**
 * True when the account logs in with password. A login is a side effect (failed-login counters such
 * as MySQL's FAILED_LOGIN_ATTEMPTS, audit and general logs), so callers try passwordVerdict first.
 */
export async function logsIn(e: Endpoint, a: Account, password: string): Promise<boolean> {
  return logsInAs(e, a.name, password).catch((err: Error) => {
    throw new Error(`cannot check the password of ${accountLabel(a)} by logging in: ${err.message}`);
  });
}
