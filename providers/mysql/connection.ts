// Connecting to a MySQL or MariaDB server with mysql2, loaded only when a mysql_user is converged.
// Every value reaches the server through placeholders, so the session is made to honour
// backslash escapes (the driver's escaping relies on them) whatever the server's sql_mode says.
import type { Connection } from "mysql2/promise";
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

export interface Session {
  /** Rows of a query whose values go through placeholders. */
  query<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  readonly escapeId: EscapeId;
  close(): Promise<void>;
}

/** Opens a session as user; rejects with the driver's error (which never contains the password). */
export async function connect(e: Endpoint, user: string, password?: string): Promise<Session> {
  const mysql = await import("mysql2/promise");
  const { socket, host, port } = endpointOf(e);
  const conn: Connection = await mysql.createConnection({
    ...(socket ? { socketPath: socket } : { host, port }),
    user,
    password,
    charset: "utf8mb4",
    connectTimeout: 10_000,
    multipleStatements: false,
  });
  const session: Session = {
    query: async (sql, values = []) => (await conn.query(sql, values))[0] as any,
    escapeId: (s, q) => mysql.escapeId(s, q),
    close: () => conn.end(),
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

/** Runs fn with a session, closing it afterwards. */
export async function withSession<T>(
  e: Endpoint,
  user: string,
  password: string | undefined,
  fn: (s: Session) => Promise<T>,
): Promise<T> {
  const session = await connect(e, user, password);
  try {
    return await fn(session);
  } finally {
    await session.close().catch(() => {});
  }
}
