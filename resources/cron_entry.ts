// cron_entry: one entry, identified by a marker comment with its name, in a user's crontab. Its
// mailto, path, shell and environment apply to it alone: path and environment are exported by
// the job's own command line; mailto and shell, which cron reads itself, are crontab lines that
// the block sets back after the job, so the lines below see the values they saw before.
import { PreconditionError } from "../engine/errors.js";
import { propertyChange } from "../engine/changes.js";
import { definePrimitive, type Change } from "../engine/resource.js";
import { absolutePath, accountName } from "../engine/schema/fragments.js";
import type { PropsOf } from "../engine/schema/types.js";
import { DamagedEntry, END, MARKER } from "../providers/cron/blocks.js";
import { readCrontab, writeCrontab } from "../providers/cron/commands.js";
import { type CronEntry, environmentBefore, holdsAsWritten, readEntry, withEntry } from "../providers/cron/crontab.js";
import { CRON_READS, crontabDefaults, type Environment, variableProblem } from "../providers/cron/environment.js";
import { SPECIALS } from "../providers/cron/fields.js";
import { cronKeyword, cronTimes } from "../providers/cron/schema.js";
import { isPosixShell, splitPrefix, withPrefix } from "../providers/cron/prefix.js";
import { findAccount } from "../providers/users/accounts.js";

const oneLine = { type: "string", pattern: "^[^\\n\\r]*$", title: "a single line" } as const;

export const schema = {
  type: "object",
  properties: {
    user: { ...accountName, default: "root" },
    ...cronTimes,
    special: { enum: [...SPECIALS], description: "instead of the five time fields" },
    // Text, not a name: a secret may stand in it on purpose (masked in output).
    command: { ...oneLine, minLength: 1, freeText: "line" },
    mailto: { ...oneLine, description: 'where cron mails output; "" for nowhere' },
    path: oneLine,
    shell: absolutePath,
    environment: {
      type: "object",
      propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
      additionalProperties: { ...oneLine, freeText: "line" },
    },
  },
  required: ["command"],
  additionalProperties: false,
} as const;

type Props = PropsOf<typeof schema>;
type State = { crontab: string; entry?: CronEntry };
/** The block is written whole: every change of a field writes the entry it plans, at its place. */
type Op = { kind: "remove" } | { kind: "write"; entry: CronEntry };

const FIELDS = ["minute", "hour", "day", "month", "weekday"] as const;
// cron reads at most this many bytes of a job line's command; crontab(1) refuses a longer one.
const MAX_COMMAND_BYTES = 998;

export const cronEntry = definePrimitive<Props, State, CronEntry, Op>({
  type: "cron_entry",
  description: "An entry in a user's crontab, marked with its name; other entries are left as they are.",
  keywords: [cronKeyword],
  schema,
  nameSchema: { ...oneLine, minLength: 1 },
  check(props, action) {
    if (action !== "create") return [];
    const fields = FIELDS.filter((f) => props[f] !== undefined);
    const special = props.special && fields.length ? [`properties: "special" excludes ${fields.join(", ")}`] : [];
    return [...special, ...variableProblems(props), ...environmentProblems(props)];
  },
  async load(ctx) {
    const { name, props, action } = ctx;
    const account = await findAccount(ctx.host, props.user);
    const crontab = account ? await readCrontab(ctx.host, props.user) : "";
    const fail = (what: string) => {
      throw new PreconditionError(damageAdvice(name, props.user, what));
    };
    let entry: CronEntry | undefined;
    let before: Environment;
    try {
      entry = readEntry(crontab, name);
      // Recomputed on every run: a line the user edits above the entry changes what it restores.
      before = environmentBefore(crontab, name, crontabDefaults(props.user));
    } catch (e) {
      if (e instanceof DamagedEntry) return fail(e.message);
      throw e;
    }
    const desired = desiredEntry(props, before);
    const shell = props.shell ?? before.SHELL;
    if (action === "create" && hasEnvironment(props) && !isPosixShell(shell))
      throw new PreconditionError(
        `path and environment need a POSIX shell to run the job, and the crontab sets SHELL=${shell} above entry ${name}: set the shell property`,
      );
    if (!account) {
      // No account, no crontab: nothing left to remove.
      if (action === "remove") return { current: undefined, desired };
      ctx.missing(`user:${props.user}`);
      return { current: { crontab }, desired };
    }
    return { current: { crontab, entry }, desired };
  },
  diff({ state: { current, desired }, action, name, props }) {
    const entry = current?.entry;
    if (action === "remove")
      return entry
        ? [{ property: "", summary: `remove crontab entry ${name} of user ${props.user}`, op: { kind: "remove" } }]
        : [];
    const write: Op = { kind: "write", entry: desired };
    if (!entry)
      return [
        {
          property: "",
          summary: `add crontab entry ${name} for user ${props.user}: ${scheduleOf(desired)} ${desired.command}`,
          op: write,
        },
      ];
    const was = new Map(describe(entry));
    const want = new Map(describe(desired));
    const changes: Change<Op>[] = [...new Set([...was.keys(), ...want.keys()])]
      .filter((key) => was.get(key) !== want.get(key))
      .map((key) => propertyChange("entry", { property: key, was: was.get(key), want: want.get(key) }, write));
    // Same values, other lines: CRLF line ends, quoting done by hand.
    if (!changes.length && !holdsAsWritten(current!.crontab, name, desired))
      changes.push({
        property: "",
        summary: `rewrite crontab entry ${name} as converge writes it (same values)`,
        op: write,
      });
    return changes;
  },
  async apply({ host, state: { current }, ops, name, props }) {
    const write = ops.find((op) => op.kind === "write");
    await writeCrontab(host, props.user, withEntry(current?.crontab ?? "", name, write?.entry));
  },
});

/** What the job's shell exports: the environment, and PATH from path. */
const exported = (p: Props) => ({ ...p.environment, ...(p.path === undefined ? {} : { PATH: p.path }) });
const hasEnvironment = (p: Props) => Object.keys(exported(p)).length > 0;

/** The entry the properties describe; each crontab variable it sets is set back after it to its value in `before`. */
function desiredEntry(p: Props, before: Environment): CronEntry {
  const variables: Record<string, string> = {};
  if (p.mailto !== undefined) variables.MAILTO = p.mailto;
  if (p.shell !== undefined) variables.SHELL = p.shell;
  // As it will read back: a command that itself starts like the prefix is then not reported as drift on every run.
  const { environment, command } = splitPrefix(withPrefix(exported(p), p.command));
  return {
    ...(p.special ? { special: p.special } : { schedule: FIELDS.map((f) => p[f] ?? "*") as CronEntry["schedule"] }),
    command,
    environment,
    variables,
    // The values above the entry, which cron's defaults fill in exactly: MAILTO unset mails the owner.
    restore: Object.fromEntries(Object.keys(variables).map((k) => [k, before[k]])),
  };
}

/** Problems with mailto and shell, which become crontab lines that cron must read back unchanged. */
function variableProblems(p: Props): string[] {
  return (["mailto", "shell"] as const).flatMap((key) => {
    const problem = p[key] === undefined ? undefined : variableProblem(p[key]);
    return problem ? [`properties/${key}: ${problem}, got ${JSON.stringify(p[key])}`] : [];
  });
}

/** Problems with path and environment, which the job's shell exports (see providers/cron/prefix.ts). */
function environmentProblems(p: Props): string[] {
  const problems = Object.keys(p.environment ?? {}).flatMap((k) =>
    CRON_READS.includes(k)
      ? [`properties/environment/${k}: cron reads ${k} from the crontab, not the job; ${advice(k)}`]
      : k === "PATH" && p.path !== undefined
        ? ["properties/environment/PATH: the path property sets PATH already"]
        : [],
  );
  if (hasEnvironment(p) && p.shell !== undefined && !isPosixShell(p.shell))
    problems.push(
      `properties/shell: path and environment are exported by the job's command line ("NAME='value'; export NAME; ..."), which needs a POSIX shell (sh, bash, dash, ksh, zsh), got ${JSON.stringify(p.shell)}`,
    );
  const bytes = Buffer.byteLength(withPrefix(exported(p), p.command ?? ""));
  if (bytes > MAX_COMMAND_BYTES)
    problems.push(
      `properties/command: with path and environment the job line's command is ${bytes} bytes, cron reads at most ${MAX_COMMAND_BYTES}`,
    );
  return problems;
}

const advice = (k: string) =>
  k === "MAILTO" || k === "SHELL"
    ? `use the ${k.toLowerCase()} property`
    : k === "HOME"
      ? "cd in the command instead"
      : "it cannot be set per entry";

/** What is wrong with the entry's lines, and what the user can do: converge never rewrites lines it did not write. */
function damageAdvice(name: string, user: string, what: string): string {
  return (
    `crontab entry ${name} of user ${user} was edited by hand: ${what}. converge changes nothing in that crontab: ` +
    `edit it by hand (crontab -u ${user} -e) so the lines from "${MARKER}${name}" to "${END}${name}" hold only what converge wrote, ` +
    `or delete those lines, then converge again`
  );
}

const scheduleOf = (e: CronEntry) => e.special ?? e.schedule!.join(" ");

/** An entry as (field, value) pairs, the way a person reads it. */
function describe(e: CronEntry): [string, string][] {
  const when: [string, string][] = e.special ? [["special", e.special]] : FIELDS.map((f, i) => [f, e.schedule![i]]);
  const env = Object.entries(e.environment).map(([k, v]): [string, string] => [
    k === "PATH" ? "path" : `environment ${k}`,
    v,
  ]);
  const vars = Object.entries(e.variables).map(([k, v]): [string, string] => [k.toLowerCase(), v]);
  const below = Object.entries(e.restore).map(([k, v]): [string, string] => [`${k} for the lines below`, v]);
  return [...when, ["command", e.command], ...vars, ...env, ...below];
}
