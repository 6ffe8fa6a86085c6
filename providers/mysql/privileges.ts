// Which privileges an account may be given, where each one is granted, and the default set a
// complete, consistent dump needs. Pure: the server's flavor comes in as data.
import { addGrant, type GrantMap, type Scope } from "./grants.js";
import { atLeast, type Server } from "./server.js";

/** Privileges that can be granted on a database (`db`.*) as well as on *.*. */
export const DATABASE_PRIVILEGES = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "CREATE",
  "DROP",
  "REFERENCES",
  "INDEX",
  "ALTER",
  "CREATE TEMPORARY TABLES",
  "LOCK TABLES",
  "EXECUTE",
  "CREATE VIEW",
  "SHOW VIEW",
  "CREATE ROUTINE",
  "ALTER ROUTINE",
  "EVENT",
  "TRIGGER",
  "SHOW CREATE ROUTINE", // reading routine bodies: granted as routineGrant says for the server
] as const;

/** Privileges that exist only on *.*; always granted there, whatever `databases` says. */
export const GLOBAL_PRIVILEGES = ["PROCESS", "RELOAD", "REPLICATION CLIENT", "SHOW DATABASES"] as const;

export const PRIVILEGES = [...DATABASE_PRIVILEGES, ...GLOBAL_PRIVILEGES] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/**
 * What mysqldump --single-transaction --routines --events --triggers needs on each dumped
 * database: rows, views, triggers, events, and routine bodies (SHOW CREATE ROUTINE, see below).
 * Not EXECUTE, although mysqldump needs it for a view that calls a stored function (its SHOW
 * FIELDS checks the caller's EXECUTE, and the dump then fails with exit 2, loudly): EXECUTE lets
 * the account CALL every procedure of the database, which runs with its definer's rights by
 * default and may write. An operator with such views adds EXECUTE to `privileges` knowingly.
 */
const DUMP_PRIVILEGES: Privilege[] = ["SELECT", "SHOW VIEW", "TRIGGER", "EVENT", "LOCK TABLES", "SHOW CREATE ROUTINE"];

/**
 * The default set for this server. mysqldump dumps tablespaces unless told --no-tablespaces,
 * reading INFORMATION_SCHEMA.FILES, which MySQL 8.0.21+ (and 5.7.31+) restricts to PROCESS, so
 * there PROCESS is added on *.*. MariaDB does not restrict it, and PROCESS would let the account
 * read every session's statements, so there it is left out. Unknown server: the MariaDB set.
 */
export function defaultPrivileges(server: Server | undefined): Privilege[] {
  return server && needsProcessForTablespaces(server) ? [...DUMP_PRIVILEGES, "PROCESS"] : DUMP_PRIVILEGES;
}

function needsProcessForTablespaces(server: Server): boolean {
  if (server.flavor !== "mysql") return false;
  return server.version[0] === 5 ? atLeast(server, [5, 7, 31]) : atLeast(server, [8, 0, 21]);
}

/** How a server grants reading routine bodies: a privilege on each database, on *.*, or on a table. */
type RoutineGrant = { privilege: string; on: "databases" | "global" | Scope };

/** Where MariaDB and MySQL before 8.0 keep routines; SELECT on it shows every routine's body. */
const ROUTINES_TABLE: RoutineGrant = { privilege: "SELECT", on: { db: "mysql", table: "proc" } };

/**
 * What "SHOW CREATE ROUTINE" in `privileges` becomes on this server: what lets an account that
 * did not define a routine read its body. Without it mysqldump --routines dumps no procedures or
 * functions at all (SHOW PROCEDURE STATUS does not even list them) and still exits 0, so a
 * restore silently loses them: measured on MariaDB 10.11.19.
 * - MariaDB 11.3+: SHOW CREATE ROUTINE itself, a database privilege: within `databases`.
 * - MySQL 8.0.20+: the dynamic privilege SHOW_ROUTINE (WL#9049), which is global only.
 * - older MariaDB (and unknown servers) and MySQL 5.x: SELECT on the table mysql.proc. The cost:
 *   the account reads the definition of every routine on the server, not only in `databases`.
 *   It is still the least privilege that makes the dump complete there: nothing narrower exists
 *   (EXECUTE does not show bodies; mysqldump stops with "insufficient privileges to SHOW CREATE
 *   FUNCTION"), and with `databases` all (*.*) the global SELECT already includes it.
 * - MySQL 8.0.0-8.0.19: undefined. mysql.proc is gone and only global SELECT would do, which
 *   exposes every table; routines are dumped only when `databases` is all (*.*).
 */
export function routineGrant(server: Server | undefined): RoutineGrant | undefined {
  if (!server || server.flavor === "mariadb")
    return server && atLeast(server, [11, 3, 0])
      ? { privilege: "SHOW CREATE ROUTINE", on: "databases" }
      : ROUTINES_TABLE;
  if (atLeast(server, [8, 0, 20])) return { privilege: "SHOW_ROUTINE", on: "global" };
  return atLeast(server, [8, 0, 0]) ? undefined : ROUTINES_TABLE;
}

/**
 * The grant pattern for a `databases` entry. In GRANT, `_` and `%` in a database name are
 * wildcards; here `%` keeps that meaning (wp_% = every database starting "wp_") and `_` is always
 * a literal, so granting "wp_shop" cannot also match "wpXshop".
 */
export function databasePattern(entry: string): string {
  return entry.replace(/_/g, "\\_");
}

/**
 * The exact grants an account should hold on this server: database privileges per pattern (or on
 * *.*), global ones on *.*, and SHOW CREATE ROUTINE as routineGrant says.
 */
export function desiredGrants(
  privileges: readonly Privilege[],
  databases: readonly string[] | undefined,
  server: Server | undefined,
): GrantMap {
  const routines = privileges.includes("SHOW CREATE ROUTINE") ? routineGrant(server) : undefined;
  const rest = privileges.filter((p) => p !== "SHOW CREATE ROUTINE");
  const isGlobal = new Set<string>(GLOBAL_PRIVILEGES);
  const global: string[] = rest.filter((p) => isGlobal.has(p));
  const onDatabases: string[] = rest.filter((p) => !isGlobal.has(p));
  if (routines?.on === "global") global.push(routines.privilege);
  if (routines?.on === "databases") onDatabases.push(routines.privilege);

  const map: GrantMap = new Map();
  addGrant(map, { db: "*", table: "*" }, global);
  const patterns = databases?.length ? databases.map(databasePattern) : ["*"];
  for (const db of patterns) addGrant(map, { db, table: "*" }, onDatabases);
  if (typeof routines?.on === "object") addGrant(map, routines.on, [routines.privilege]);
  return map;
}
