// Which privileges an account may be given, where each one is granted, and the default set a
// consistent dump needs. Pure: the server's flavor comes in as data.
import { addGrant, type GrantMap } from "./grants.js";
import type { Server } from "./server.js";

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
] as const;

/** Privileges that exist only on *.*; always granted there, whatever `databases` says. */
export const GLOBAL_PRIVILEGES = ["PROCESS", "RELOAD", "REPLICATION CLIENT", "SHOW DATABASES"] as const;

export const PRIVILEGES = [...DATABASE_PRIVILEGES, ...GLOBAL_PRIVILEGES] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/** What mysqldump --single-transaction needs on each dumped database. */
const DUMP_PRIVILEGES: Privilege[] = ["SELECT", "SHOW VIEW", "TRIGGER", "EVENT", "LOCK TABLES"];

/**
 * The default set for this server. mysqldump dumps tablespaces unless told --no-tablespaces,
 * reading INFORMATION_SCHEMA.FILES, which MySQL 8.0.21+ (and 5.7.31+) restricts to PROCESS, so
 * there PROCESS is added on *.*. MariaDB does not restrict it, and PROCESS would let the account
 * read every session's statements, so there it is left out. Unknown server: the MariaDB set.
 */
export function defaultPrivileges(server: Server | undefined): Privilege[] {
  return server && needsProcessForTablespaces(server) ? [...DUMP_PRIVILEGES, "PROCESS"] : DUMP_PRIVILEGES;
}

function needsProcessForTablespaces({ flavor, version }: Server): boolean {
  if (flavor !== "mysql") return false;
  const [major, minor, patch] = version;
  if (major === 5) return minor > 7 || (minor === 7 && patch >= 31);
  return major > 8 || (major === 8 && (minor > 0 || patch >= 21));
}

/**
 * The grant pattern for a `databases` entry. In GRANT, `_` and `%` in a database name are
 * wildcards; here `%` keeps that meaning (wp_% = every database starting "wp_") and `_` is always
 * a literal, so granting "wp_shop" cannot also match "wpXshop".
 */
export function databasePattern(entry: string): string {
  return entry.replace(/_/g, "\\_");
}

/** The exact grants an account should hold: database privileges per pattern (or on *.*), global ones on *.*. */
export function desiredGrants(privileges: readonly Privilege[], databases: readonly string[] | undefined): GrantMap {
  const map: GrantMap = new Map();
  const global = new Set<string>(GLOBAL_PRIVILEGES);
  const onDatabases = privileges.filter((p) => !global.has(p));
  addGrant(
    map,
    { db: "*", table: "*" },
    privileges.filter((p) => global.has(p)),
  );
  const patterns = databases?.length ? databases.map(databasePattern) : ["*"];
  for (const db of patterns) addGrant(map, { db, table: "*" }, onDatabases);
  return map;
}
