// The one ajv instance: our keywords (sensitive, cron) and how its errors read.
import { Ajv, type ErrorObject } from "ajv";
import { cronFieldHint, isCronField } from "../../providers/cron/fields.js";
import type { CronFieldName } from "./fragments.js";
import { suggestion } from "../suggest.js";

let instance: Ajv | undefined;

export function ajv(): Ajv {
  if (instance) return instance;
  // strictRequired/strictTypes would reject the conditional "required" that remove needs.
  // verbose: errors carry their schema, whose description and property names make better messages.
  instance = new Ajv({
    allErrors: true,
    verbose: true,
    // Our schemas are checked against the meta-schema by the test suite (spec/schema.spec.ts);
    // doing it again on every converge costs more than compiling them.
    validateSchema: false,
    useDefaults: true,
    strictSchema: true,
    strictRequired: false,
    strictTypes: false,
  });
  instance.addKeyword({ keyword: "sensitive", schemaType: "boolean" });
  // Read by engine/input/text.ts (which characters a value may hold) and the secret checks.
  instance.addKeyword({ keyword: "freeText", schemaType: "string" });
  instance.addKeyword({
    keyword: "cron",
    type: "string",
    schemaType: "string",
    errors: true,
    validate: function check(field: CronFieldName, data: string) {
      const ok = isCronField(field, data);
      if (!ok)
        (check as any).errors = [
          { keyword: "cron", message: `must match cron ${field} syntax (${cronFieldHint(field)})`, params: {} },
        ];
      return ok;
    },
  });
  return instance;
}

/** Human lines for ajv errors: "PREFIX properties/minute: must match ..., got "61"". */
export function describeErrors(
  errors: ErrorObject[],
  root: unknown,
  prefix: string,
  isSensitive: (instancePath: string) => boolean,
): string[] {
  const lines = new Set<string>();
  // An anyOf failure also reports each branch's failure at or under its path: keep only the anyOf line.
  const alternatives = errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath);
  const underAlternative = (p: string) => alternatives.some((a) => p === a || p.startsWith(`${a}/`));
  for (const e of errors) {
    if (e.keyword === "if" || (e.keyword !== "anyOf" && underAlternative(e.instancePath))) continue;
    // An unknown property is reported where it stands, not at its parent.
    const extra = e.keyword === "additionalProperties" ? `/${(e.params as any).additionalProperty}` : "";
    const path = `${e.instancePath}${extra}`.replace(/^\//, "");
    const where = [prefix, path].filter(Boolean).join(" ");
    lines.add(`${where}: ${message(e, root, isSensitive)}`);
  }
  return [...lines];
}

function message(e: ErrorObject, root: unknown, isSensitive: (p: string) => boolean): string {
  switch (e.keyword) {
    case "required":
      return `missing required property "${(e.params as any).missingProperty}"`;
    case "additionalProperties":
      return `unknown property${suggestion((e.params as any).additionalProperty, Object.keys(e.parentSchema?.properties ?? {}))}`;
    case "pattern":
      // A pattern's title says in words what the regular expression says in symbols.
      return `${e.parentSchema?.title ? `must be ${e.parentSchema.title}` : e.message}${got(e, root, isSensitive)}`;
    case "enum":
      return `must be one of ${(e.params as any).allowedValues.map((v: unknown) => JSON.stringify(v)).join(", ")}${got(e, root, isSensitive)}`;
    case "anyOf":
      return isSensitive(e.instancePath)
        ? `must be ${(e.schema as { title?: string }[])[0]?.title ?? "a string"}, {"env": "VAR"} or {"file": "/path"}`
        : `must be ${alternatives(e.schema as Branch[], valueAt(root, e.instancePath))}${got(e, root, isSensitive)}`;
    default:
      return `${e.message}${got(e, root, isSensitive)}`;
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

function got(e: ErrorObject, root: unknown, isSensitive: (p: string) => boolean): string {
  if (isSensitive(e.instancePath)) return "";
  const value = valueAt(root, e.instancePath);
  return value === undefined ? "" : `, got ${JSON.stringify(value)}`;
}
