// What the mysql_user specs share, against the private MariaDB the harness starts: SQL as database
// root, logging in as an account, reading back grants and stored credentials, and per-file setup.
// Each spec file names its accounts and databases with its own prefix, so files running in parallel
// on the one server never touch each other's (the teardown drops everything with the prefix).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, inject } from "vitest";
import { Sandbox } from "./sandbox.js";
import { entry } from "./run-lists.js";

export const { socket } = inject("mariadb");

/** The desired password: quotes, backslash, comment and wildcard characters, unicode. */
export const PASSWORD = `p@ss'"\\#;% wörd ✓`;
/** converge reads the password from here ({"env": "MU_PW"}), never from the run-list. */
export const ENV = { MU_PW: PASSWORD };

/** Runs SQL as database root (unix_socket auth: this process is OS root); values via placeholders. */
export async function asRoot<T = any>(sql: string, values: unknown[] = []): Promise<T[]> {
  const c = await mysql.createConnection({ socketPath: socket, user: "root", charset: "utf8mb4" });
  try {
    return (await c.query(sql, values))[0] as T[];
  } finally {
    await c.end();
  }
}

/** Logs in as the account over the socket; resolves to the connection, or rejects as the server did. */
export const login = (user: string, password: string) =>
  mysql.createConnection({ socketPath: socket, user, password, charset: "utf8mb4" });

/** Logs in and out, or rejects. */
export const logsIn = async (user: string, password: string) => (await login(user, password)).end();

export const grantsOf = async (user: string, host = "localhost") =>
  (await asRoot("SHOW GRANTS FOR ?@?", [user, host])).map((r) => String(Object.values(r)[0]));

/**
 * Runs fn with the server's general log on, into a file of its own in the harness's directory;
 * returns what was logged. The binary log cannot be switched on at run time (log_bin is read-only),
 * so the harness server has none; MariaDB writes account statements such as CREATE USER to it as
 * the text it received, which is what the general log shows (checked by hand with --log-bin).
 */
export async function generalLogDuring(fn: () => Promise<void>): Promise<string> {
  const file = join(dirname(socket), `general-${process.pid}-${Date.now()}.log`);
  const [{ before }] = await asRoot("SELECT @@GLOBAL.general_log_file AS `before`");
  await asRoot("SET GLOBAL general_log_file = ?", [file]);
  await asRoot("SET GLOBAL general_log = ON");
  try {
    await fn();
  } finally {
    await asRoot("SET GLOBAL general_log = OFF");
    await asRoot("SET GLOBAL general_log_file = ?", [before]);
  }
  return readFileSync(file, "utf8");
}

/** A mysql_user entry with the specs' defaults: password from the environment, admin over the harness socket. */
export const userEntry = (name: string, properties: object = {}, action: "create" | "remove" = "create") =>
  entry("mysql_user", name, { password: { env: "MU_PW" }, admin: { socket }, ...properties }, action);

/**
 * Setup for one spec file: a sandbox, and `databases` each holding a table `orders` with the row
 * (1, "marker-DB"); afterwards every account and database starting with `prefix` is dropped.
 * Returns converge in the sandbox (with ENV unless told otherwise), the sandbox itself, and the
 * prefix's accounts with their stored credentials: equal snapshots mean mysql.user did not change.
 */
export function useServer(prefix: string, databases: readonly string[] = []) {
  let sb: Sandbox | undefined;
  const like = `${prefix.replace(/_/g, "\\_")}%`;
  const accounts = () =>
    asRoot(
      "SELECT User AS user, Host AS host, authentication_string AS auth FROM mysql.user WHERE User LIKE ? ORDER BY 1, 2",
      [like],
    );
  beforeAll(async () => {
    sb = await Sandbox.create();
    for (const db of databases) {
      await asRoot(`CREATE DATABASE IF NOT EXISTS \`${db}\``);
      await asRoot(`CREATE TABLE IF NOT EXISTS \`${db}\`.orders (id INT PRIMARY KEY, item VARCHAR(20))`);
      await asRoot(`INSERT IGNORE INTO \`${db}\`.orders VALUES (1, 'marker-${db}')`);
    }
  });
  afterAll(async () => {
    for (const { user, host } of await accounts()) await asRoot("DROP USER ?@?", [user, host]);
    for (const db of databases) await asRoot(`DROP DATABASE IF EXISTS \`${db}\``);
    await sb?.destroy();
  });
  const converge = (doc: unknown, flags: string[] = [], env: Record<string, string> = ENV) =>
    sb!.converge(doc, flags, env);
  return { sandbox: () => sb!, converge, accounts };
}
