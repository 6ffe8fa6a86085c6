// access_check: a user can execute and read what it must, e.g. a job's interpreter and code. It
// changes nothing: the resource is up to date when the user can, and fails, saying what stands
// in the way and what to do, when it cannot (in why-run too), so a job that could never run is
// found at converge time rather than by the first silent night of cron.
import { PreconditionError } from "../engine/errors.js";
import { definePrimitive, type LoadContext } from "../engine/resource.js";
import { absolutePath, accountName } from "../engine/schema/fragments.js";
import type { PropsOf } from "../engine/schema/types.js";
import { accessProblem, type Who } from "../providers/files/access.js";
import { findAccount, findGroup, groupIdsOf } from "../providers/users/accounts.js";

const paths = { type: "array", items: absolutePath, uniqueItems: true } as const;

export const schema = {
  type: "object",
  properties: {
    user: { ...accountName, description: "the account that must have access" },
    groups: {
      type: "array",
      items: accountName,
      uniqueItems: true,
      description: "its supplementary groups, for why-run before the account exists",
    },
    execute: { ...paths, description: "programs it must be able to execute", default: [] },
    read: { ...paths, description: "files it must be able to read", default: [] },
    hint: { type: "string", description: "what to do when it cannot, appended to the failure" },
  },
  required: ["user"],
  additionalProperties: false,
} as const;

type Props = PropsOf<typeof schema>;

/** The account's uid and groups; in why-run, an account about to be created has only the groups given. */
async function whoIs(ctx: LoadContext, props: Props): Promise<Who> {
  const account = await findAccount(ctx.host, props.user);
  if (account) return { uid: account.uid, gids: await groupIdsOf(ctx.host, account) };
  ctx.missing(`user:${props.user}`, { assuming: "checked as a new account" });
  const gids = await Promise.all((props.groups ?? []).map(async (g) => (await findGroup(ctx.host, g))?.gid));
  return { gids: gids.filter((g): g is number => g !== undefined) };
}

export const accessCheck = definePrimitive<Props, true>({
  type: "access_check",
  description:
    "Checks that a user can execute and read the given paths; fails with what stands in the way. Changes nothing.",
  schema,
  async load(ctx) {
    const { props, action } = ctx;
    if (action === "remove") return { current: true, desired: true };
    const who = await whoIs(ctx, props);
    const wanted = [
      ...props.execute.map((p) => [p, "execute"] as const),
      ...props.read.map((p) => [p, "read"] as const),
    ];
    const problems = (await Promise.all(wanted.map(([p, want]) => accessProblem(ctx.host, who, p, want)))).filter(
      Boolean,
    );
    if (problems.length)
      throw new PreconditionError(`${props.user} cannot: ${problems.join("; ")}${props.hint ? `. ${props.hint}` : ""}`);
    return { current: true, desired: true };
  },
  diff: () => [],
  async apply() {},
});
