// mysql_user: a MySQL/MariaDB account (identity name + host) that authenticates with its password
// and holds exactly the desired grants: missing ones granted, extra ones revoked, so a backup
// account never slowly collects rights. The admin connection says how to reach the server and is
// never compared (Chef's desired_state: false).
import { PreconditionError } from "../engine/errors.js";
import { definePrimitive, type Action, type Change, type LoadContext, type State } from "../engine/resource.js";
import { absolutePath, secret } from "../engine/schema/fragments.js";
import type { PropsOf } from "../engine/schema/types.js";
import {
  CannotConnect,
  findAccount,
  logsIn,
  openAdminWriter,
  type Admin,
  type Found,
  type StoredAccount,
} from "../providers/mysql/account.js";
import { describeEndpoint, loadDriver } from "../providers/mysql/connection.js";
import type { GrantMap } from "../providers/mysql/grants.js";
import {
  accountLabel,
  describe,
  planCreate,
  planRemove,
  type Account,
  type Existing,
  type Operation,
} from "../providers/mysql/plan.js";
import { identification, passwordVerdict } from "../providers/mysql/password.js";
import { defaultPrivileges, desiredGrants, PRIVILEGES } from "../providers/mysql/privileges.js";
import type { Server } from "../providers/mysql/server.js";
import { statementOf } from "../providers/mysql/statements.js";

export const schema = {
  type: "object",
  properties: {
    host: {
      type: "string",
      minLength: 1,
      maxLength: 255,
      default: "localhost",
      description: "the account's host part: localhost, an address, or a % pattern",
    },
    password: secret("the account's password; up to date when the account authenticates with it"),
    privileges: {
      type: "array",
      items: { enum: PRIVILEGES },
      uniqueItems: true,
      description:
        "default: what a complete mysqldump needs, SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES, SHOW CREATE ROUTINE on each database " +
        "(plus PROCESS on *.* on MySQL 8.0.21+, for tablespaces). SHOW CREATE ROUTINE (reading routine bodies) is granted as " +
        "SELECT on mysql.proc on MariaDB before 11.3 and MySQL 5.x (the account can then read every routine's definition on the server), " +
        "as SHOW_ROUTINE on *.* on MySQL 8.0.20+, as itself on MariaDB 11.3+. Add EXECUTE if a view calls a stored function",
    },
    databases: {
      type: "array",
      items: { type: "string", minLength: 1, maxLength: 64, pattern: "^[^\\\\]+$" },
      uniqueItems: true,
      description: "names or % patterns (wp_%: _ is literal, % matches anything); default all databases (*.*)",
    },
    admin: {
      type: "object",
      description: "how to connect to make the changes; default root over /run/mysqld/mysqld.sock",
      properties: {
        socket: absolutePath,
        host: { type: "string", minLength: 1 },
        port: { type: "integer", minimum: 1, maximum: 65535 },
        user: { type: "string", minLength: 1, default: "root" },
        password: secret("the admin's password (none for unix_socket authentication)"),
      },
      additionalProperties: false,
      default: {},
    },
  },
  required: ["password"],
  additionalProperties: false,
} as const;

type Props = PropsOf<typeof schema>;

interface Desired {
  grants: GrantMap;
  /** The server the grants were computed for; it also decides how a password is sent. */
  server?: Server;
  /** Set in why-run when the server could not be reached: the current state is unknown. */
  unreachable?: boolean;
}

export const mysqlUser = definePrimitive<Props, Existing, Desired, Operation>({
  type: "mysql_user",
  description: "A MySQL/MariaDB account (the name is the user part) with a password and exactly the desired grants.",
  schema,
  nameSchema: { type: "string", minLength: 1, maxLength: 80 },
  check({ admin }) {
    if (admin?.socket && admin.host) return ['properties/admin: give "socket" or "host", not both'];
    if (admin?.port && !admin.host) return ['properties/admin: "port" needs "host"'];
    if (admin?.port && admin.host === "localhost")
      return [
        'properties/admin: host "localhost" means the unix socket (as for the mysql clients), so "port" would be ignored: use 127.0.0.1 for TCP',
      ];
    return [];
  },
  identity: (name, props) => accountLabel(accountOf(name, props)),
  preload: loadDriver,
  async load(ctx) {
    const { name, props, action } = ctx;
    const account = accountOf(name, props);
    const desiredFor = (server?: Server): Desired => ({
      grants: desiredGrants(props.privileges ?? defaultPrivileges(server), props.databases, server),
      server,
    });
    let found: Found;
    try {
      found = await findAccount(ctx.host, adminOf(props), account);
    } catch (err) {
      if (!(err instanceof CannotConnect)) throw err;
      const why = cannotConnect(props, err);
      if (!ctx.whyRun) throw why;
      // Stated the way the plan goes: remove plans a drop, create plans a create.
      const assumed = action === "remove" ? "exists" : "does not exist yet";
      ctx.assume(`${accountLabel(account)} ${assumed} (its state is unknown: ${why.message})`);
      return { current: undefined, desired: { ...desiredFor(), unreachable: true } };
    }
    const desired = desiredFor(found.server);
    const { stored } = found;
    if (!stored) return { current: undefined, desired };
    const passwordMatches = action === "remove" || (await checkPassword(ctx, props, account, stored));
    return { current: { passwordMatches, plugin: stored.plugin, grants: stored.grants }, desired };
  },
  diff({ state, action, name, props }) {
    const account = accountOf(name, props);
    return operations(state, action).map(
      (op): Change<Operation> => ({ property: propertyOf(op), summary: describe(op, account), op }),
    );
  },
  async apply({ host, state, ops, name, props }) {
    const account = accountOf(name, props);
    const session = await openAdminWriter(host, adminOf(props)).catch((err) => {
      throw cannotConnect(props, err);
    });
    const { password } = props;
    const identified =
      password === undefined ? undefined : identification(password, state.desired.server, state.current?.plugin);
    try {
      for (const op of ops) {
        const st = statementOf(op, account, identified, session.escapeId);
        const target = describe(op, account);
        await session.write({ sql: st.sql, values: st.values, target }).catch((err) => {
          throw sqlFailure(target, err, st.secret);
        });
      }
    } finally {
      await session.close().catch(() => {});
    }
  },
});

/**
 * Whether the account authenticates with the desired password. Where only a login can tell (a
 * salted plugin), why-run does not log in, a side effect (failed-login counters, audit logs): it
 * states the assumption instead. A real run logs in, in load and in the check after apply.
 */
async function checkPassword(ctx: LoadContext, props: Props, account: Account, stored: StoredAccount) {
  const verdict = passwordVerdict(stored.plugin, stored.authString, props.password);
  if (verdict !== "login") return verdict === "match";
  if (!ctx.whyRun) return logsIn(props.admin, account, props.password);
  ctx.assume(
    `the password of ${accountLabel(account)} is unchanged (with ${stored.plugin} it cannot be verified without logging in as the account)`,
  );
  return true;
}

/** The plan for the loaded state: diff prints it, apply carries out the same list. */
function operations({ current, desired }: State<Existing, Desired>, action: Action): Operation[] {
  if (action === "remove") return planRemove(current !== undefined || Boolean(desired.unreachable));
  return planCreate(current, desired.grants);
}

function propertyOf(op: Operation): string {
  if (op.kind === "create" || op.kind === "drop") return "";
  return op.kind === "set-password" ? "password" : "privileges";
}

const accountOf = (name: string, props: Props): Account => ({ name, host: props.host ?? "localhost" });
const adminUser = (props: Props) => props.admin.user ?? "root";
const adminOf = (props: Props): Admin => ({
  endpoint: props.admin,
  user: adminUser(props),
  password: props.admin.password,
});

const cannotConnect = (props: Props, err: unknown) =>
  new PreconditionError(
    `cannot connect to the MySQL server at ${describeEndpoint(props.admin)} as ${adminUser(props)}: ${(err as Error).message}`,
  );

/** An error that says which statement failed and why, without the server's text when it could echo the password. */
function sqlFailure(what: string, err: unknown, secret: boolean): Error {
  const e = err as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  // ER_OPTION_PREVENTS_STATEMENT names a server option, never the statement: safe to show.
  const safe = !secret || e.errno === 1290;
  const detail = safe ? (e.sqlMessage ?? e.message) : `${e.code ?? "error"}${e.errno ? ` (errno ${e.errno})` : ""}`;
  const hint = /strict.password.validation/.test(detail ?? "")
    ? " (it refuses a password given as its hash, and converge sends only the hash so that the password stays out of the server's logs: turn strict_password_validation off, or set this password by hand once)"
    : "";
  return new Error(`${what} failed: ${detail}${hint}`);
}
