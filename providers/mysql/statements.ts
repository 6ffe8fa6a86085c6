// The SQL for each planned operation: placeholders for every account, role and password, the
// driver's escapeId for database and table names. Privilege words come from the schema's enum or
// from the grant parser, which only accepts bare upper-case words, so they are safe as written.
// CREATE USER then GRANT, never GRANT ... IDENTIFIED BY (a syntax error on MySQL 8).
import type { Scope } from "./grants.js";
import type { Identification } from "./password.js";
import type { Account, Operation } from "./plan.js";

export interface Statement {
  sql: string;
  values: unknown[];
  /** True when `values` hold the password or its stored form: errors then never repeat the server's text. */
  secret: boolean;
}

/** mysql2's escapeId(name, true): backticks, never split at dots. */
export type EscapeId = (name: string, forbidQualified: true) => string;

/** The SQL of an operation; `password` (see identification in password.ts) is needed to create or set one. */
export function statementOf(
  op: Operation,
  account: Account,
  password: Identification | undefined,
  escapeId: EscapeId,
): Statement {
  const who = [account.name, account.host];
  const on = (scope: Scope) => `${name(scope.db, escapeId)}.${name(scope.table, escapeId)}`;
  switch (op.kind) {
    case "create":
    case "set-password":
      if (password === undefined) throw new Error("no password to set");
      return {
        sql: `${op.kind === "create" ? "CREATE" : "ALTER"} USER ?@? ${password.clause}`,
        values: [...who, password.value],
        secret: true,
      };
    case "drop":
      return plain("DROP USER ?@?", who);
    case "revoke-all":
      return plain("REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?", who);
    case "revoke":
      return plain(`REVOKE ${op.privileges.join(", ")} ON ${on(op.scope)} FROM ?@?`, who);
    case "grant":
      return plain(`GRANT ${op.privileges.join(", ")} ON ${on(op.scope)} TO ?@?`, who);
    case "revoke-role":
      return op.role.host === undefined
        ? plain("REVOKE ? FROM ?@?", [op.role.name, ...who])
        : plain("REVOKE ?@? FROM ?@?", [op.role.name, op.role.host, ...who]);
    case "revoke-proxy":
      return plain("REVOKE PROXY ON ?@? FROM ?@?", [op.target.name, op.target.host ?? "%", ...who]);
  }
}

const plain = (sql: string, values: unknown[]): Statement => ({ sql, values, secret: false });
const name = (s: string, escapeId: EscapeId) => (s === "*" ? "*" : escapeId(s, true));
