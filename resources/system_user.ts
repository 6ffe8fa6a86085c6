// system_user: an account made with shadow-utils; only the properties given are compared.
import { propertyChange } from "../engine/changes.js";
import { definePrimitive, type Change } from "../engine/resource.js";
import { absolutePath, accountName, homePath } from "../engine/schema/fragments.js";
import type { PropsOf } from "../engine/schema/types.js";
import { findAccount, findGroup, groupsOf } from "../providers/users/accounts.js";
import { useraddArgv, userdelArgv, usermodArgv, type AccountSpec } from "../providers/users/shadow.js";

export const schema = {
  type: "object",
  properties: {
    uid: { type: "integer", minimum: 0, maximum: 4294967294 },
    group: { ...accountName, description: "primary group; default a group named after the user" },
    groups: { type: "array", items: accountName, uniqueItems: true, description: "supplementary groups, appended" },
    home: homePath,
    shell: { ...absolutePath, default: "/usr/sbin/nologin" },
    system: { type: "boolean", default: true },
    manage_home: { type: "boolean", default: true, description: "create the home on create, delete it on remove" },
    comment: { type: "string", pattern: "^[^:\\n]*$", title: 'a single line without ":"' },
  },
  additionalProperties: false,
} as const;

type Props = PropsOf<typeof schema>;
type Current = Required<Omit<AccountSpec, "system" | "manage_home">>;

/** The properties compared after creation, with how each differs. */
const COMPARED = ["uid", "group", "home", "shell", "comment"] as const;

type Op =
  | { kind: "create" }
  | { kind: "remove" }
  | { kind: "set"; property: (typeof COMPARED)[number]; value: string | number }
  | { kind: "add-groups"; groups: string[] };

export const systemUser = definePrimitive<Props, Current, Props, Op>({
  type: "system_user",
  description: "A local account (the name is the login), created with useradd.",
  schema,
  nameSchema: accountName,
  async load(ctx) {
    const { name, props } = ctx;
    const account = await findAccount(ctx.host, name);
    if (!account) return { current: undefined, desired: props };
    const [primary, groups] = await Promise.all([findGroup(ctx.host, account.gid), groupsOf(ctx.host, account)]);
    const current = { ...account, group: primary?.name ?? String(account.gid), groups };
    return { current, desired: props };
  },
  diff({ state: { current, desired }, action, name }) {
    if (action === "remove")
      return current ? [{ property: "", summary: `remove user ${name}`, op: { kind: "remove" } }] : [];
    if (!current) return [{ property: "", summary: `create user ${name}`, op: { kind: "create" } }];
    const changes: Change<Op>[] = COMPARED.filter((k) => desired[k] !== undefined && desired[k] !== current[k]).map(
      (k) =>
        propertyChange(
          "assign",
          { property: k, was: current[k], want: desired[k] },
          { kind: "set", property: k, value: desired[k]! },
        ),
    );
    const missing = (desired.groups ?? []).filter((g) => !current.groups.includes(g));
    if (missing.length)
      changes.push({
        property: "groups",
        summary: `add to groups ${missing.join(", ")}`,
        op: { kind: "add-groups", groups: missing },
      });
    return changes;
  },
  async apply({ host, state: { current, desired }, ops, name }) {
    if (ops.some((op) => op.kind === "remove")) {
      const home = current?.home && (await host.stat(current.home));
      return void (await host.exec(userdelArgv(name, Boolean(desired.manage_home && home))));
    }
    if (ops.some((op) => op.kind === "create")) return void (await host.exec(useraddArgv(name, desired)));
    // One usermod for all: each property it sets is one the diff found different.
    const changed: AccountSpec = {};
    for (const op of ops) {
      if (op.kind === "set") Object.assign(changed, { [op.property]: op.value });
      if (op.kind === "add-groups") changed.groups = op.groups;
    }
    await host.exec(usermodArgv(name, changed, desired.manage_home));
  },
  provides(name, props, action) {
    if (action !== "create") return [];
    return [
      `user:${name}`,
      ...(props.group ? [] : [`group:${name}`]),
      ...(props.manage_home && props.home ? [`dir:${props.home}`] : []),
    ];
  },
});
