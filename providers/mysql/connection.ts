// Connecting to a MySQL or MariaDB server with mysql2, loaded only when a mysql_user is converged.
// Every value reaches the server through placeholders, so the session is made to honour
// backslash escapes (the driver's escaping relies on them) whatever the server's sql_mode says.
import type { Connection } from "mysql2/promise";
import { setTimeout as sleep } from "node:timers/promises";
import type { Host } from "../../engine/host.js";
import type { EscapeId } from "./statements.js";

/** Where the server listens: a unix socket, or host and port. */
export interface Endpoint {
  socket?: string;
  host?: string;
  port?: number;
}

/** Debian's socket, where root logs in by unix_socket authentication. */
export const DEFAULT_SOCKET = "/run/mysqld/mysqld.sock";

/**
 * Where a client connects, by the mysql clients' rule: no host, or "localhost", means the unix
 * socket (the given one, else the default); any other host means TCP (a socket is then ignored).
 * converge's admin session, the dump's .my.cnf, the job's database listing and restore all go
 * through this, so none of them reaches a different server than mysqldump does.
 */
export function endpointOf(e: Endpoint): Endpoint {
  if (!e.host || e.host === "localhost") return { socket: e.socket ?? DEFAULT_SOCKET };
  return { host: e.host, port: e.port ?? 3306 };
}

/** For messages: "socket /run/mysqld/mysqld.sock" or "db.example:3306". */
export function describeEndpoint(e: Endpoint): string {
  const { socket, host, port } = endpointOf(e);
  return socket ? `socket ${socket}` : `${host}:${port}`;
}

/** What load may ask the server: reads only. */
export interface ReadSession {
  /** Rows of a SELECT or SHOW whose values go through placeholders; anything else is refused. */
  query<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
  /** True once the session has died (server gone, connection killed or timed out). */
  readonly gone: boolean;
}

/** A statement that changes the server; its values may hold a secret, its target never does. */
export interface Write {
  sql: string;
  values: unknown[];
  /** What it does, for the host's observer ("create user 'x'@'localhost'"). */
  target: string;
}

/** What apply may do: each write goes through the host, so why-run refuses it and observers see it. */
export interface WriteSession {
  write(w: Write): Promise<void>;
  readonly escapeId: EscapeId;
  close(): Promise<void>;
}

/** A statement a read session refuses: it could change the server. */
export class NotARead extends Error {
  override name = "NotARead";
}

// The first word of a read, with nothing before it: a leading comment may be an executable
// one ("/*! ... */"), run by the server whatever precedes it.
const READ = /^(SELECT|SHOW)\s/i;
const WRITES_FILE = /\bINTO\s+(OUT|DUMP)FILE\b/i;

/**
 * Opens a session for load that can only read: the statement must be a SELECT or SHOW (checked
 * here) and the server holds the session read only (SET SESSION TRANSACTION READ ONLY), so even
 * a function called from a SELECT cannot write a table. Rejects with the driver's error.
 * `lost` is called once if the session dies (server gone, connection killed or timed out); the
 * session is then closed for good.
 */
export async function openReader(
  e: Endpoint,
  user: string,
  password?: string,
  lost: () => void = () => {},
): Promise<ReadSession> {
  const conn = await connect(e, user, password);
  try {
    await conn.query("SET SESSION TRANSACTION READ ONLY");
    // A session kept for a whole run must see what apply commits on its own connection: with
    // autocommit off (a server default some set), the first read's snapshot would last the run.
    await conn.query("SET SESSION autocommit = 1");
  } catch (err) {
    await conn.close().catch(() => {});
    throw err;
  }
  let gone = false;
  const dead = () => {
    if (gone) return;
    gone = true;
    conn.destroy();
    lost();
  };
  conn.whenGone(dead);
  return {
    async query<T>(sql: string, values?: unknown[]): Promise<T[]> {
      if (!READ.test(sql) || WRITES_FILE.test(sql))
        throw new NotARead(`refused on a read-only session: ${sql.split(/\s/)[0]}`);
      return conn.query<T>(sql, values).catch((err: unknown) => {
        if (sessionGone(err)) dead();
        throw err;
      });
    },
    close: conn.close,
    get gone() {
      return gone;
    },
  };
}

/**
 * Errnos of a server that is ending the session: ER_SERVER_SHUTDOWN, MariaDB's ER_CONNECTION_KILLED,
 * MySQL's ER_CLIENT_INTERACTION_TIMEOUT.
 */
const ENDING = new Set([1053, 1927, 4031]);

/**
 * True when a query failed because its session is gone (the server closed it, the socket failed),
 * not because the server refused the statement: an error the server sent on a live session has an
 * SQLSTATE, one the client made up for a dead connection has none.
 */
function sessionGone(err: unknown): boolean {
  const e = err as { sqlState?: string; errno?: number } | undefined;
  return !e?.sqlState || ENDING.has(e.errno ?? 0);
}

/**
 * True when a login was refused because the account holds as many sessions as it may:
 * ER_TOO_MANY_USER_CONNECTIONS (max_user_connections) or ER_USER_LIMIT_REACHED (the account's
 * own MAX_USER_CONNECTIONS).
 */
export function atSessionLimit(err: unknown): boolean {
  const errno = (err as { errno?: number } | undefined)?.errno;
  return errno === 1203 || errno === 1226;
}

/**
 * open's session, tried again while the server refuses it at the session limit, for about 1.3 s
 * in all: the server counts a session until its thread has ended, a moment after its socket closed.
 */
export async function retriedAtSessionLimit<T>(open: () => Promise<T>): Promise<T> {
  for (let waitMs = 20; ; waitMs *= 2) {
    try {
      return await open();
    } catch (err) {
      if (!atSessionLimit(err) || waitMs > 1000) throw err;
    }
    await sleep(waitMs);
  }
}

/**
 * Opens a session for apply: a Host is needed to write, and only apply is handed one (not in
 * why-run). Each write is announced to the host as an effect of kind "sql" and carried out there.
 */
export async function openWriter(host: Host, e: Endpoint, user: string, password?: string): Promise<WriteSession> {
  const conn = await connect(e, user, password);
  return {
    write: (w) => host.effect({ kind: "sql", target: w.target }, async () => void (await conn.query(w.sql, w.values))),
    escapeId: conn.escapeId,
    close: conn.close,
  };
}

interface Session {
  query<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  readonly escapeId: EscapeId;
  close(): Promise<void>;
  /** Closes the socket without a goodbye to the server: for a session that is gone. */
  destroy(): void;
  /** Calls fn when the server closes the session or its socket fails, whether or not a query runs. */
  whenGone(fn: () => void): void;
}

/** The driver, loaded when a session is first opened: a run that reaches no server never pays for it. */
export async function loadDriver(): Promise<typeof import("mysql2/promise")> {
  // The package is CommonJS: Node's interop also names its exports, the bundle's chunk has only the default.
  return (await import("mysql2/promise")).default;
}

/** Opens a session as user; rejects with the driver's error (which never contains the password). */
async function connect(e: Endpoint, user: string, password?: string): Promise<Session> {
  const mysql = await loadDriver();
  const { socket, host, port } = endpointOf(e);
  const conn: Connection = await mysql.createConnection({
    ...(socket ? { socketPath: socket } : { host, port }),
    user,
    password,
    charset: "utf8mb4",
    connectTimeout: 10_000,
    multipleStatements: false,
    // Rows parsed by the driver's static parser: the generated one is compiled anew for each
    // column name, and SHOW GRANTS names its column after the account.
    disableEval: true,
  });
  const session: Session = {
    query: async (sql, values = []) => (await conn.query(sql, values))[0] as any,
    escapeId: (s, q) => mysql.escapeId(s, q),
    close: () => conn.end(),
    destroy: () => conn.destroy(),
    // An "error" with no listener would throw from the driver's socket callback and end the process.
    whenGone: (fn) => void conn.on("end", fn).on("error", fn),
  };
  try {
    const [{ mode }] = await session.query<{ mode: string }>("SELECT @@SESSION.sql_mode AS mode");
    const modes = mode.split(",").filter((m) => m !== "NO_BACKSLASH_ESCAPES");
    if (modes.length !== mode.split(",").length) await session.query("SET SESSION sql_mode = ?", [modes.join(",")]);
  } catch (err) {
    await conn.end().catch(() => {});
    throw err;
  }
  return session;
}

/**
 * True when user logs in with password (the session is closed at once, nothing asked). A login
 * is a side effect (failed-login counters, audit logs): callers try every other way first.
 */
export async function logsInAs(e: Endpoint, user: string, password: string): Promise<boolean> {
  try {
    await (await connect(e, user, password)).close().catch(() => {});
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "ER_ACCESS_DENIED_ERROR") return false;
    throw err;
  }
}
