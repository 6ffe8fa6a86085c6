// template_file: a file whose content comes from a Handlebars template or a literal, with
// owner, group and mode; written atomically, earlier copies kept, diffs shown unless sensitive.
// A change of content, owner or mode writes the file anew: a file is never chowned or chmodded
// in place, and a link or a hard-linked file at the path is replaced, never read or written through.
import { createHash } from "node:crypto";
import type { Stats } from "node:fs";
import { dirname } from "node:path";
import { InputError, PreconditionError } from "../engine/errors.js";
import { definePrimitive, type Change } from "../engine/resource.js";
import { kindOf } from "../engine/stats.js";
import { redactor } from "../engine/secrets.js";
import { absolutePath, ownership } from "../engine/schema/fragments.js";
import type { PropsOf } from "../engine/schema/types.js";
import { backupFile } from "../providers/files/backups.js";
import { unifiedDiff } from "../providers/files/diff.js";
import {
  type DesiredOwnership,
  type Ownership,
  type OwnershipOp,
  ownerIds,
  ownershipChanges,
  readOwnership,
  resolveOwnership,
} from "../providers/files/ownership.js";
import { requireDirectory } from "../providers/files/parents.js";

export const schema = {
  type: "object",
  properties: {
    source: {
      type: "string",
      minLength: 1,
      description:
        "a template: absolute, or relative to the recipe's folder or the run-list's (templates/ first), then the engine's templates/",
    },
    content: { type: "string", freeText: "multiline", description: "literal content, instead of source" },
    variables: { type: "object", default: {}, freeText: "multiline", description: "what the source template sees" },
    ...ownership,
    sensitive: { type: "boolean", default: false, description: "never show the content or its diff" },
    backup: { type: "integer", minimum: 0, default: 5, description: "earlier copies kept" },
  },
  additionalProperties: false,
} as const;

type Props = PropsOf<typeof schema>;
type Current = Ownership & {
  /** The content, when converge read it (a regular file with one name). */
  content?: string;
  bytes?: Buffer;
  /** What the path holds instead of a file of its own, which is replaced without being read. */
  replaces?: string;
  /** Why its content is not shown in a diff, when it is not. */
  hidden?: string;
};
type Desired = DesiredOwnership & { content: string };
/**
 * A file is never changed in place: any difference writes it whole, with the desired content and
 * the desired owner and mode over its current ones. "write" says the content differs (an earlier
 * copy is kept then); an ownership operation alone also writes the file anew.
 */
type Op = { kind: "delete" } | { kind: "write" } | OwnershipOp;

export const templateFile = definePrimitive<Props, Current, Desired, Op>({
  type: "template_file",
  description: "A file (the name is its absolute path) rendered from a template or given literally.",
  schema,
  nameSchema: absolutePath,
  check(props, action) {
    if (action === "remove") return [];
    const given = [props.source, props.content].filter((v) => v !== undefined).length;
    if (given !== 1) return ['properties: give exactly one of "source" or "content"'];
    // Rendering content as a template would break every file that holds "{{" for its own use.
    if (props.content !== undefined && Object.keys(props.variables).length)
      return [
        'properties/variables: only a "source" template sees variables; "content" is written as given (put the text in a template file to render it)',
      ];
    return [];
  },
  async prepare(props, action, origin) {
    if (action === "remove" || props.source === undefined) return [];
    // Loaded only when a template is rendered: a converge of literal files never pays for Handlebars.
    const { findTemplate, renderTemplate, TemplateError } = await import("../providers/files/templates.js");
    const found = findTemplate(props.source, origin);
    if (!("file" in found))
      return [
        `properties/source: template ${JSON.stringify(props.source)} not found (looked in ${found.searched.join(", ")})`,
      ];
    try {
      props.content = await renderTemplate(found.file, props.variables);
      return [];
    } catch (err) {
      const property = err instanceof TemplateError && err.variable !== undefined ? "variables" : "source";
      if (err instanceof TemplateError || err instanceof InputError) return [`properties/${property}: ${err.message}`];
      throw err;
    }
  },
  async load(ctx) {
    const { name: path, props, action } = ctx;
    const file = await ctx.host.inspectFile(path);
    if (file) refuseKind(path, file.stats);
    const current: Current | undefined = file && {
      ...(await readOwnership(ctx, file.stats)),
      content: file.content?.toString("utf8"),
      bytes: file.content,
      replaces: replaced(file.stats),
      hidden:
        file.content === undefined
          ? // No name left: another name was renamed over it between converge's open and its look.
            file.stats.nlink === 0
            ? "it was replaced while converge looked at it"
            : "over 64 MiB, not read"
          : file.trusted
            ? undefined
            : "someone other than root or its owner may have put this file there",
    };
    if (action === "remove") return { current, desired: { content: "" } };
    if (!file) await requireDirectory(ctx, dirname(path));
    return {
      current,
      // A source template was rendered into content during validation (prepare).
      desired: { ...(await resolveOwnership(ctx, props)), content: props.content! },
    };
  },
  diff({ state: { current, desired }, action, name: path, props }) {
    if (action === "remove") {
      const what = current?.replaces ? `${path} (${current.replaces}: the name only)` : `file ${path}`;
      return current ? [{ property: "", summary: `delete ${what}`, op: { kind: "delete" } }] : [];
    }
    const write = { kind: "write" } as const;
    if (current?.replaces)
      return [
        { property: "content", summary: `replace ${path} (${current.replaces}) with a file of its own`, op: write },
        ...ownershipChanges(undefined, desired),
      ];
    const changes: Change<Op>[] = [];
    if (current?.content !== desired.content) {
      const what = current ? `update content in file ${path}` : `create new file ${path}`;
      // A file not marked sensitive that holds a secret of this run likely held the previous
      // value of that secret too, which no redactor knows: show no diff of it either.
      const holdsSecret = redactor.scrub(desired.content) !== desired.content;
      const hidden = props.sensitive ? "sensitive" : holdsSecret ? "holds a secret" : undefined;
      changes.push(
        hidden
          ? { property: "content", summary: `${what} (${hidden}: diff suppressed)`, op: write }
          : current?.hidden
            ? { property: "content", summary: `${what} (diff not shown: ${current.hidden})`, op: write }
            : {
                property: "content",
                summary: current ? `${what} from ${digest(current.content!)} to ${digest(desired.content)}` : what,
                diff: unifiedDiff(path, current?.content ?? "", desired.content),
                op: write,
              },
      );
    }
    return [...changes, ...ownershipChanges(current, desired)];
  },
  async apply({ host, state: { current, desired }, ops, name: path, props }) {
    if (ops.some((op) => op.kind === "delete")) return host.remove(path);
    // A file of its own keeps the owner and mode it has where none is given; a replaced one starts anew.
    const own = current?.replaces ? undefined : current;
    const write = ops.find((op) => op.kind === "write");
    if (own?.bytes && props.backup > 0 && write) await backupFile(host, path, own.bytes, props.backup);
    // Written with its final owner and mode already set, so it is never briefly readable by others.
    const mode = parseInt(desired.mode ?? own?.mode ?? "0644", 8);
    // Without a write the content is already the desired one: only the owner or mode differ.
    await host.writeFileAtomic(path, desired.content, { mode, ...(await ownerIds(host, path, desired, own)) });
  },
  tidy: ({ host, name: path }) => host.removeLeftovers(path),
});

/** What the path holds when it is not a file converge may read and keep: it is replaced. */
function replaced(st: Stats): string | undefined {
  if (st.isSymbolicLink()) return "a symbolic link";
  if (st.nlink > 1) return `a file with ${st.nlink} names (hard links)`;
  return undefined;
}

/** A directory, FIFO, socket or device at the path fails the resource: replacing it would not be what anyone meant. */
function refuseKind(path: string, st: Stats): void {
  if (!st.isFile() && !st.isSymbolicLink())
    throw new PreconditionError(`${path} exists and is ${kindOf(st)}, not a regular file`);
}

const digest = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);
