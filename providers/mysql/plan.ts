// What to do to an account, as data: the pure step between loaded state and SQL. diff prints
// these operations and apply executes the same list, so why-run and a real run cannot disagree.
import { scopeLabel, type CurrentGrants, type GrantMap, type Principal, type Scope } from "./grants.js";

export interface Account {
  name: string;
  host: string;
}

export type Operation =
  | { kind: "create" }
  | { kind: "drop" }
  | { kind: "set-password" }
  | { kind: "revoke-all"; lines: number }
  | { kind: "revoke"; scope: Scope; privileges: string[] }
  | { kind: "grant"; scope: Scope; privileges: string[] }
  | { kind: "revoke-role"; role: Principal }
  | { kind: "revoke-proxy"; target: Principal };

export interface Existing {
  /** False when the account does not authenticate with the desired password. */
  passwordMatches: boolean;
  /** The stored authentication plugin: how a new password may be sent (identification in password.ts). */
  plugin?: string;
  grants: CurrentGrants;
}

/** Operations that make the account exist with the password and exactly the desired grants. */
export function planCreate(current: Existing | undefined, desired: GrantMap): Operation[] {
  if (!current) return [{ kind: "create" }, ...grantsMissing(new Map(), desired)];
  const ops: Operation[] = current.passwordMatches ? [] : [{ kind: "set-password" }];
  const { grants, roles, proxies, unrevocable } = current.grants;
  ops.push(...roles.map((role): Operation => ({ kind: "revoke-role", role })));
  ops.push(...proxies.map((target): Operation => ({ kind: "revoke-proxy", target })));
  // Column and routine privileges cannot be named back one by one: start from nothing instead.
  if (unrevocable.length)
    return [...ops, { kind: "revoke-all", lines: unrevocable.length }, ...grantsMissing(new Map(), desired)];
  for (const [key, { scope, privileges }] of grants) {
    const extra = [...privileges].filter((p) => !desired.get(key)?.privileges.has(p));
    if (extra.length) ops.push({ kind: "revoke", scope, privileges: extra });
  }
  return [...ops, ...grantsMissing(grants, desired)];
}

export function planRemove(exists: boolean): Operation[] {
  return exists ? [{ kind: "drop" }] : [];
}

function grantsMissing(current: GrantMap, desired: GrantMap): Operation[] {
  const ops: Operation[] = [];
  for (const [key, { scope, privileges }] of desired) {
    const missing = [...privileges].filter((p) => !current.get(key)?.privileges.has(p));
    if (missing.length) ops.push({ kind: "grant", scope, privileges: missing });
  }
  return ops;
}

/** 'name'@'host' for messages only; SQL gets the account through placeholders. */
export function accountLabel({ name, host }: Account): string {
  return `${quoted(name)}@${quoted(host)}`;
}

const quoted = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const principalLabel = (p: Principal) => (p.host === undefined ? quoted(p.name) : accountLabel(p as Account));

/** The line the report prints for an operation (imperative, lower case, never a secret). */
export function describe(op: Operation, account: Account): string {
  const who = accountLabel(account);
  switch (op.kind) {
    case "create":
      return `create user ${who}`;
    case "drop":
      return `drop user ${who}`;
    case "set-password":
      return `set password of ${who} (sensitive: value not shown)`;
    case "revoke-all":
      return `revoke all privileges of ${who}, then grant the desired set (${op.lines} grant(s) on columns or routines cannot be revoked one by one)`;
    case "revoke":
      return `revoke ${op.privileges.join(", ")} on ${scopeLabel(op.scope)} from ${who} (not in the desired set)`;
    case "grant":
      return `grant ${op.privileges.join(", ")} on ${scopeLabel(op.scope)} to ${who}`;
    case "revoke-role":
      return `revoke role ${principalLabel(op.role)} from ${who} (not in the desired set)`;
    case "revoke-proxy":
      return `revoke proxy on ${principalLabel(op.target)} from ${who} (not in the desired set)`;
  }
}
