// node_exporter_textfile: a .prom file in node_exporter's textfile-collector directory that one
// user (the writer) may replace at will, and nothing else there. The collector directory belongs
// to root or prometheus and holds other jobs' metrics, so it is left as it is: no chown, no mode
// change, no ACL. Beside the name, the writer gets a directory of its own (NAME.d, 0755), where it
// can write a temporary file and rename it over its .prom file atomically, and the name itself is
// a root-owned link into it (node_exporter follows links). An empty file is placed there first, so
// the link never dangles: a dangling one is a scrape error of the whole textfile collector.
import { basename, dirname, join } from "node:path";
import { PreconditionError } from "../engine/errors.js";
import { definePrimitive, type Change } from "../engine/resource.js";
import { absolutePath, accountName } from "../engine/schema/fragments.js";
import type { PropsOf } from "../engine/schema/types.js";
import {
  applyOwnership,
  ownerIds,
  ownershipChanges,
  ownershipOf,
  readOwnership,
  resolveOwnership,
  type DesiredOwnership,
  type Ownership,
  type OwnershipOp,
} from "../providers/files/ownership.js";

export const schema = {
  type: "object",
  properties: {
    writer: { ...accountName, description: "the user that writes the metrics (a backup user)" },
  },
  required: ["writer"],
  additionalProperties: false,
} as const;

type Props = PropsOf<typeof schema>;

interface Current {
  /** The writer's directory: owner, group and mode, when it exists. */
  dir?: Required<Ownership>;
  /** Whether the metrics file inside it exists. */
  file: boolean;
  /** Where the link at the name points, when there is one. */
  link?: string;
}

interface Places {
  /** NAME.d beside the name, the writer's own. */
  dir: string;
  /** NAME.d/BASENAME, what the writer replaces. */
  file: string;
  /** The link's target, relative so the collector directory can be moved or bind-mounted. */
  target: string;
}

/** Where the pieces of the entry `path` live. */
export function placesOf(path: string): Places {
  const base = basename(path);
  const dir = `${path.slice(0, -".prom".length)}.d`;
  return { dir, file: join(dir, base), target: join(basename(dir), base) };
}

const MODE = "0755";

/** Each piece made or removed on its own; ownership operations concern the writer's directory. */
type Op = { kind: "dir" | "file" | "link" } | OwnershipOp;

export const nodeExporterTextfile = definePrimitive<Props, Current, DesiredOwnership, Op>({
  type: "node_exporter_textfile",
  description:
    "A .prom file in node_exporter's textfile directory (the name) that one user may replace atomically, through a directory of its own.",
  schema,
  nameSchema: {
    ...absolutePath,
    pattern: "^/[^\\n\\r\\u0000]*/[^/\\n\\r\\u0000]+\\.prom$",
    title: "a path ending in .prom",
  },
  async load(ctx) {
    const { name: path, props, action } = ctx;
    const p = placesOf(path);
    const collector = dirname(path);
    const [cst, lst, dst] = await Promise.all([ctx.host.stat(collector), ctx.host.stat(path), ctx.host.stat(p.dir)]);
    if (lst && !lst.isSymbolicLink())
      throw new PreconditionError(
        `${path} exists and is not a link; move it away (the metrics are now written in ${p.dir})`,
      );
    if (dst && !dst.isDirectory()) throw new PreconditionError(`${p.dir} exists and is not a directory`);
    const dir = dst && (await readOwnership(ctx, dst));
    // Taken over only from root (a run cut short) or the writer: another user's directory is theirs.
    if (dir && action === "create" && dir.owner !== props.writer && dst!.uid !== 0)
      throw new PreconditionError(`${p.dir} belongs to ${dir.owner}, not ${props.writer}; move it away`);
    const current: Current = {
      dir,
      file: Boolean(dst && (await ctx.host.stat(p.file))),
      link: lst ? await ctx.host.readlink(path) : undefined,
    };
    if (action === "remove") return { current, desired: {} };
    if (!cst?.isDirectory())
      throw new PreconditionError(
        `${collector} does not exist: install prometheus-node-exporter, or give the directory its --collector.textfile.directory names`,
      );
    return { current, desired: await resolveOwnership(ctx, { owner: props.writer, group: props.writer, mode: MODE }) };
  },
  diff({ state: { current, desired }, action, name: path }): Change<Op>[] {
    const p = placesOf(path);
    const piece = (kind: "dir" | "file" | "link", summary: string): Change<Op> => ({
      property: kind,
      summary,
      op: { kind },
    });
    if (action === "remove")
      return [
        ...(current?.link !== undefined ? [piece("link", `remove link ${path}`)] : []),
        ...(current?.dir ? [piece("dir", `delete directory ${p.dir}`)] : []),
      ];
    return [
      ...(current?.dir
        ? ownershipChanges(current.dir, desired, p.dir)
        : [piece("dir", `create directory ${p.dir} owned by ${desired.owner}, mode ${MODE}`)]),
      ...(!current?.file ? [piece("file", `create empty metrics file ${p.file}`)] : []),
      ...(current?.link !== p.target
        ? [piece("link", `link ${path} to ${p.target}${current?.link !== undefined ? ` (was ${current.link})` : ""}`)]
        : []),
    ];
  },
  async apply({ host, state: { current, desired }, ops, action, name: path }) {
    const p = placesOf(path);
    const has = (kind: Op["kind"]) => ops.some((op) => op.kind === kind);
    if (action === "remove") {
      if (has("link")) await host.remove(path);
      if (has("dir")) await host.remove(p.dir, { recursive: true });
      return;
    }
    const { uid, gid } = await ownerIds(host, p.dir, desired);
    // Made root's first and handed over once the file is in it, so the writer never sees it half made.
    if (has("dir")) await host.mkdir(p.dir, { recursive: false });
    if (has("file")) await host.writeFileAtomic(p.file, "", { mode: 0o644, uid, gid });
    // A directory just made is root's: it gets all of the desired ownership, an existing one what differs.
    if (has("dir") || has("own")) await applyOwnership(host, p.dir, desired, has("dir") ? desired : ownershipOf(ops));
    if (has("link")) {
      if (current?.link !== undefined) await host.remove(path);
      await host.symlink(p.target, path);
    }
  },
});
