// template_file: a file whose content comes from a Handlebars template or a literal, with
// owner, group and mode; written atomically, earlier copies kept, diffs shown unless sensitive.
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { InputError, PreconditionError } from "../engine/errors.js";
import { definePrimitive } from "../engine/resource.js";
import { redactor } from "../engine/secrets.js";
import { absolutePath, ownership } from "../engine/schema/fragments.js";
import type { PropsOf } from "../engine/schema/types.js";
import { backupFile } from "../providers/files/backups.js";
import { unifiedDiff } from "../providers/files/diff.js";
import {
  applyOwnership,
  type DesiredOwnership,
  type Ownership,
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
type Current = Ownership & { content: string };
type Desired = DesiredOwnership & { content: string };

export const templateFile = definePrimitive<Props, Current, Desired>({
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
  async load(ctx, path, props, action) {
    const st = await ctx.host.stat(path);
    if (st && !st.isFile()) throw new PreconditionError(`${path} exists and is not a regular file`);
    const current = st && {
      ...(await readOwnership(ctx, st)),
      content: (await ctx.host.readFile(path))!.toString("utf8"),
    };
    if (action === "remove") return { current, desired: { content: "" } };
    if (!st) await requireDirectory(ctx, dirname(path));
    return {
      current,
      // A source template was rendered into content during validation (prepare).
      desired: { ...(await resolveOwnership(ctx, props)), content: props.content! },
    };
  },
  diff({ current, desired }, action, path, props) {
    if (action === "remove") return current ? [{ property: "", summary: `delete file ${path}` }] : [];
    const changes = [];
    if (current?.content !== desired.content) {
      const what = current ? `update content in file ${path}` : `create new file ${path}`;
      // A file not marked sensitive that holds a secret of this run likely held the previous
      // value of that secret too, which no redactor knows: show no diff of it either.
      const holdsSecret = redactor.scrub(desired.content) !== desired.content;
      changes.push(
        props.sensitive || holdsSecret
          ? {
              property: "content",
              summary: `${what} (${props.sensitive ? "sensitive" : "holds a secret"}: diff suppressed)`,
            }
          : {
              property: "content",
              summary: current ? `${what} from ${digest(current.content)} to ${digest(desired.content)}` : what,
              diff: unifiedDiff(path, current?.content ?? "", desired.content),
            },
      );
    }
    return [...changes, ...ownershipChanges(current, desired)];
  },
  async apply(host, { current, desired }, changes, action, path, props) {
    if (action === "remove") return host.remove(path);
    if (current && props.backup > 0 && changes.some((c) => c.property === "content"))
      await backupFile(host, path, props.backup);
    if (current && current.content === desired.content) return applyOwnership(host, path, desired);
    // Written with its final owner and mode already set, so it is never briefly readable by others.
    const mode = parseInt(desired.mode ?? current?.mode ?? "0644", 8);
    await host.writeFileAtomic(path, desired.content, { mode, ...(await ownerIds(host, path, desired, current)) });
  },
});

const digest = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);
