// directory: a path that is a directory with the given owner, group and mode.
import { dirname } from "node:path";
import { PreconditionError } from "../engine/errors.js";
import { definePrimitive } from "../engine/resource.js";
import type { PropsOf } from "../engine/schema/types.js";
import { absolutePath, ownership } from "../engine/schema/fragments.js";
import {
  applyOwnership,
  type DesiredOwnership,
  type Ownership,
  type OwnershipOp,
  ownerIds,
  ownershipChanges,
  ownershipOf,
  readOwnership,
  resolveOwnership,
} from "../providers/files/ownership.js";
import { requireDirectory } from "../providers/files/parents.js";

export const schema = {
  type: "object",
  properties: {
    ...ownership,
    recursive: { type: "boolean", default: false, description: "create missing parents; remove with contents" },
    adopt: {
      type: "boolean",
      default: true,
      description: "false: refuse an existing directory that belongs to another owner instead of taking it over",
    },
  },
  additionalProperties: false,
} as const;

type Props = PropsOf<typeof schema>;
type Op = { kind: "create" } | { kind: "delete" } | OwnershipOp;

export const directory = definePrimitive<Props, Ownership, DesiredOwnership, Op>({
  type: "directory",
  description: "A directory (the name is its absolute path) with owner, group and mode.",
  schema,
  nameSchema: absolutePath,
  async load(ctx) {
    const { name: path, props, action } = ctx;
    const st = await ctx.host.stat(path);
    // A link is not followed, even to a directory: its target is not the path the run-list names.
    if (st?.isSymbolicLink())
      throw new PreconditionError(
        `${path} is a symbolic link; converge does not follow it (manage the directory it points to, or remove the link)`,
      );
    if (st && !st.isDirectory()) throw new PreconditionError(`${path} exists and is not a directory`);
    if (action === "remove") {
      // Removing needs no owner to exist (it may be gone with its user), but when an owner is
      // given, a recursive delete is refused unless the directory is that owner's.
      const current = st && (await readOwnership(ctx, st));
      if (current && props.recursive && props.owner !== undefined && current.owner !== props.owner)
        throw new PreconditionError(
          `refusing to delete ${path} and its contents: owned by ${current.owner}, not ${props.owner}`,
        );
      return { current, desired: {} };
    }
    const desired = await resolveOwnership(ctx, props);
    if (!st && !props.recursive) await requireDirectory(ctx, dirname(path), " (set recursive: true to create it)");
    const current = st && (await readOwnership(ctx, st));
    if (current && !props.adopt && props.owner !== undefined && current.owner !== props.owner)
      throw new PreconditionError(
        `refusing to take over ${path}: it belongs to ${current.owner}, not ${props.owner} (choose another path, or chown it first)`,
      );
    return { current, desired };
  },
  diff({ state: { current, desired }, action, name: path }) {
    if (action === "remove")
      return current ? [{ property: "", summary: `delete directory ${path}`, op: { kind: "delete" } }] : [];
    return [
      ...(current ? [] : [{ property: "", summary: `create new directory ${path}`, op: { kind: "create" } as const }]),
      ...ownershipChanges(current, desired),
    ];
  },
  async apply({ host, state, ops, name: path, props }) {
    if (ops.some((op) => op.kind === "delete")) return host.remove(path, { recursive: props.recursive });
    if (!ops.some((op) => op.kind === "create")) return applyOwnership(host, path, state.desired, ownershipOf(ops));
    // Appears already owned and moded: a crash never leaves it half made, root's (where
    // adopt: false would then refuse it) or open to others before its mode is set.
    const { mode: octal } = state.desired;
    const mode = octal === undefined ? undefined : parseInt(octal, 8);
    const ids = await ownerIds(host, path, state.desired);
    await host.mkdir(path, { recursive: props.recursive, mode, ...ids });
  },
  tidy: ({ host, name: path }) => host.removeLeftovers(path),
  provides: (path, _props, action) => (action === "create" ? [`dir:${path}`] : []),
});
