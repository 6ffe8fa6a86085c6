// How ajv's errors read, for every validator (run-lists, config.yml, manifests): one line per
// problem, at the path of the value at fault, in words taken from the schema where it has them.
import type { ErrorObject } from "ajv";
import { suggestion } from "../suggest.js";

/** Where the errors are and what of the document a message may quote. */
export interface ErrorContext {
  /** Names a JSON pointer ("" for the whole document, "/properties/minute") in the caller's words. */
  where(pointer: string): string;
  /** Whether the value at a pointer may be quoted after the message (a secret's never is). */
  mayQuote(pointer: string): boolean;
}

/** Human lines for ajv errors: "WHERE: must match cron minute syntax (...), got "61"". */
export function describeErrors(errors: readonly ErrorObject[], root: unknown, ctx: ErrorContext): string[] {
  const lines = new Set<string>();
  // An anyOf failure also reports each branch's failure at or under its path: keep only the anyOf line.
  const alternatives = errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath);
  const underAlternative = (p: string) => alternatives.some((a) => p === a || p.startsWith(`${a}/`));
  for (const e of errors) {
    if (e.keyword === "if" || (e.keyword !== "anyOf" && underAlternative(e.instancePath))) continue;
    // An unknown property is reported where it stands, not at its parent.
    const extra = e.keyword === "additionalProperties" ? `/${(e.params as any).additionalProperty}` : "";
    lines.add(`${ctx.where(`${e.instancePath}${extra}`)}: ${message(e, root, ctx)}`);
  }
  return [...lines];
}

function message(e: ErrorObject, root: unknown, ctx: ErrorContext): string {
  const schema = e.parentSchema as { title?: string; description?: string; sensitive?: boolean } | undefined;
  switch (e.keyword) {
    case "required":
      return `missing required property "${(e.params as any).missingProperty}"`;
    case "additionalProperties":
      return `unknown property${suggestion((e.params as any).additionalProperty, Object.keys(e.parentSchema?.properties ?? {}))}`;
    case "pattern":
      // A pattern's title says in words what the regular expression says in symbols; failing
      // that, its description says what the value is for.
      return `${schema?.title ? `must be ${schema.title}` : `${e.message}${schema?.description ? ` (${schema.description})` : ""}`}${got(e, root, ctx)}`;
    case "enum":
      return `must be one of ${(e.params as any).allowedValues.map((v: unknown) => JSON.stringify(v)).join(", ")}${got(e, root, ctx)}`;
    case "anyOf":
      return schema?.sensitive
        ? `must be ${(e.schema as { title?: string }[])[0]?.title ?? "a string"}, {"env": "VAR"} or {"file": "/path"}`
        : `must be ${alternatives(e.schema as Branch[], valueAt(root, e.instancePath))}${got(e, root, ctx)}`;
    default:
      return `${e.message}${got(e, root, ctx)}`;
  }
}

type Branch = { type?: string; title?: string; properties?: Record<string, unknown> };

/**
 * What an anyOf wants, in words: the branch of the value's own JSON type when there is one (a
 * string where a path or {path, ...} is allowed is told what a path must be), else every branch.
 */
function alternatives(branches: Branch[], value: unknown): string {
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  const words = (b: Branch) =>
    b.title ??
    (b.type === "object" ? `an object with ${Object.keys(b.properties ?? {}).join(", ")}` : `a ${b.type ?? "value"}`);
  const same = branches.filter((b) => b.type === kind);
  return same.length === 1 ? words(same[0]) : branches.map(words).join(" or ");
}

function valueAt(root: unknown, instancePath: string): unknown {
  return instancePath
    .split("/")
    .slice(1)
    .reduce<any>((v, k) => (v == null ? v : v[k.replace(/~1/g, "/").replace(/~0/g, "~")]), root);
}

function got(e: ErrorObject, root: unknown, ctx: ErrorContext): string {
  if (!ctx.mayQuote(e.instancePath)) return "";
  const value = valueAt(root, e.instancePath);
  return value === undefined ? "" : `, got ${JSON.stringify(value)}`;
}
