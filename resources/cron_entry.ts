// cron_entry: one entry, identified by a marker comment with its name, in a user's crontab. Its
// mailto, path, shell and environment apply to it alone: the lines below see the values they saw before.
import { PreconditionError } from "../engine/errors.js";
import { definePrimitive, type Change } from "../engine/resource.js";
import { absolutePath, accountName, cronField } from "../engine/schema/fragments.js";
import type { PropsOf } from "../engine/schema/types.js";
import { readCrontab, writeCrontab } from "../providers/cron/commands.js";
import { type CronEntry, environmentBefore, readEntry, withEntry } from "../providers/cron/crontab.js";
import { cronDefaults } from "../providers/cron/defaults.js";
import type { Environment } from "../providers/cron/environment.js";
import { SPECIALS } from "../providers/cron/fields.js";
import { findAccount } from "../providers/users/accounts.js";

const oneLine = { type: "string", pattern: "^[^\\n\\r]*$", title: "a single line" } as const;

export const schema = {
  type: "object",
  properties: {
    user: { ...accountName, default: "root" },
    minute: cronField("minute"),
    hour: cronField("hour"),
    day: cronField("day"),
    month: cronField("month"),
    weekday: cronField("weekday"),
    special: { enum: [...SPECIALS], description: "instead of the five time fields" },
    command: { ...oneLine, minLength: 1 },
    mailto: { ...oneLine, description: 'where cron mails output; "" for nowhere' },
    path: oneLine,
    shell: absolutePath,
    environment: {
      type: "object",
      propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
      additionalProperties: oneLine,
    },
  },
  required: ["command"],
  additionalProperties: false,
} as const;

type Props = PropsOf<typeof schema>;
type State = { crontab: string; entry?: CronEntry };

const FIELDS = ["minute", "hour", "day", "month", "weekday"] as const;

export const cronEntry = definePrimitive<Props, State, CronEntry>({
  type: "cron_entry",
  description: "An entry in a user's crontab, marked with its name; other entries are left as they are.",
  schema,
  nameSchema: { ...oneLine, minLength: 1 },
  check(props, action) {
    const fields = FIELDS.filter((f) => props[f] !== undefined);
    return action === "create" && props.special && fields.length
      ? [`properties: "special" excludes ${fields.join(", ")}`]
      : [];
  },
  async load(ctx, name, props, action) {
    const account = await findAccount(ctx.host, props.user);
    const crontab = account ? await readCrontab(ctx.host, props.user) : "";
    // Recomputed on every run: a line the user edits above the entry changes what it restores.
    const defaults = await cronDefaults(ctx.host, props.user, account?.home);
    const desired = desiredEntry(props, environmentBefore(crontab, name, defaults));
    if (!account) {
      // No account, no crontab: nothing left to remove.
      if (action === "remove") return { current: undefined, desired };
      if (!(ctx.whyRun && ctx.wouldExist(`user:${props.user}`)))
        throw new PreconditionError(`user ${props.user} does not exist`);
      ctx.assume(`user ${props.user} would have been created`);
      return { current: { crontab }, desired };
    }
    return { current: { crontab, entry: readEntry(crontab, name) }, desired };
  },
  diff({ current, desired }, action, name, props) {
    const entry = current?.entry;
    if (action === "remove")
      return entry ? [{ property: "", summary: `remove crontab entry ${name} of user ${props.user}` }] : [];
    if (!entry)
      return [
        {
          property: "",
          summary: `add crontab entry ${name} for user ${props.user}: ${scheduleOf(desired)} ${desired.command}`,
        },
      ];
    const was = new Map(describe(entry));
    const want = new Map(describe(desired));
    return [...new Set([...was.keys(), ...want.keys()])]
      .filter((key) => was.get(key) !== want.get(key))
      .map((key) => change(key, was.get(key), want.get(key)));
  },
  async apply(host, { current, desired }, _changes, action, name, props) {
    const entry = action === "remove" ? undefined : desired;
    await writeCrontab(host, props.user, withEntry(current?.crontab ?? "", name, entry));
  },
});

/** The entry the properties describe; each variable it sets is set back after it to its value in `before`. */
function desiredEntry(p: Props, before: Environment): CronEntry {
  const variables: Record<string, string> = {};
  if (p.mailto !== undefined) variables.MAILTO = p.mailto;
  if (p.path !== undefined) variables.PATH = p.path;
  if (p.shell !== undefined) variables.SHELL = p.shell;
  Object.assign(variables, p.environment);
  return {
    ...(p.special ? { special: p.special } : { schedule: FIELDS.map((f) => p[f] ?? "*") as CronEntry["schedule"] }),
    command: p.command,
    variables,
    // cron cannot unset a variable: one nothing above sets comes back as "", which most programs
    // read as unset (the locale variables do, by POSIX).
    restore: Object.fromEntries(Object.keys(variables).map((k) => [k, before[k] ?? ""])),
  };
}

const scheduleOf = (e: CronEntry) => e.special ?? e.schedule!.join(" ");

/** An entry as (field, value) pairs, the way a person reads it. */
function describe(e: CronEntry): [string, string][] {
  const when: [string, string][] = e.special ? [["special", e.special]] : FIELDS.map((f, i) => [f, e.schedule![i]]);
  const below = Object.entries(e.restore).map(([k, v]): [string, string] => [`${k} for the lines below`, v]);
  return [...when, ["command", e.command], ...Object.entries(e.variables), ...below];
}

function change(key: string, was: string | undefined, want: string | undefined): Change {
  const text =
    want === undefined
      ? `${key} removed (was ${JSON.stringify(was)})`
      : was === undefined
        ? `${key} set to ${JSON.stringify(want)}`
        : `${key} from ${JSON.stringify(was)} to ${JSON.stringify(want)}`;
  return { property: key, summary: `update crontab entry: ${text}` };
}
