// Sensitive properties: resolving {"env"} / {"file"} references, and keeping every resolved
// value out of output. Schemas mark them with `sensitive: true`; nothing else decides.
import { readFileSync, statSync } from "node:fs";

/** Shorter values would mangle unrelated text if scrubbed, so they are refused as secrets. */
export const MIN_SECRET_LENGTH = 4;

/** Replaces every known secret in text. All output of the engine passes through one. */
export class Redactor {
  private readonly values = new Set<string>();

  add(value: string): void {
    if (value.length < MIN_SECRET_LENGTH) return;
    this.values.add(value);
    // As it appears inside a JSON string (the json report), where " and \ are escaped.
    this.values.add(JSON.stringify(value).slice(1, -1));
  }

  scrub(text: string): string {
    let out = text;
    for (const v of this.values) out = out.split(v).join("********");
    return out;
  }

  /** A copy of a JSON-shaped value with every string in it scrubbed. */
  scrubValue<T>(value: T): T {
    if (typeof value === "string") return this.scrub(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.scrubValue(v)) as T;
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.scrubValue(v)])) as T;
    }
    return value;
  }
}

export const redactor = new Redactor();

type Schema = {
  sensitive?: boolean;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: { pattern?: string; title?: string }[];
  [k: string]: unknown;
};

/** True when the JSON pointer (relative to the schema's instance) lands on or inside a sensitive value. */
export function isSensitivePath(schema: Schema, pointer: string): boolean {
  let node: Schema | undefined = schema;
  for (const key of pointer.split("/").slice(1)) {
    if (!node || node.sensitive) break;
    node = node.properties?.[key] ?? (/^\d+$/.test(key) ? node.items : undefined);
  }
  return Boolean(node?.sensitive);
}

export interface Resolution {
  problems: string[];
  warnings: string[];
}

/**
 * Replaces secret references in `value` (validated against `schema`) by the secrets, in place.
 * `where` prefixes messages; values are never quoted in them.
 */
export function resolveSecrets(schema: Schema, value: unknown, where: string, out: Resolution): void {
  walk(schema, value, "", (path, holder, key, v, child) => {
    const at = `${where}${path}`;
    const ref = v as { env?: string; file?: string };
    if (typeof v === "string") {
      out.warnings.push(`${at}: a literal secret in the run-list; prefer {"env": "VAR"} or {"file": "/path"}`);
    }
    const resolved =
      typeof v === "string" ? v : ref.env !== undefined ? fromEnv(ref.env, at, out) : fromFile(ref.file!, at, out);
    if (resolved === undefined) return;
    if (resolved.length < MIN_SECRET_LENGTH) {
      out.problems.push(
        `${at}: shorter than ${MIN_SECRET_LENGTH} characters: too short to be a secret, or to keep out of output`,
      );
      return;
    }
    const shape = child.anyOf?.[0];
    if (typeof v !== "string" && shape?.pattern && !new RegExp(shape.pattern, "u").test(resolved)) {
      out.problems.push(`${at}: the value it refers to is not ${shape.title ?? "of the expected form"}`);
      return;
    }
    redactor.add(resolved);
    holder[key] = resolved;
  });
}

/** JSON pointers of sensitive values given as literal strings rather than references. */
export function literalSecrets(schema: Schema, value: unknown): string[] {
  const found: string[] = [];
  walk(schema, value, "", (path, _holder, _key, v) => void (typeof v === "string" && found.push(path)));
  return found;
}

function fromEnv(name: string, at: string, out: Resolution): string | undefined {
  const v = process.env[name];
  if (v === undefined || v === "") out.problems.push(`${at}: environment variable ${name} is not set`);
  return v || undefined;
}

function fromFile(path: string, at: string, out: Resolution): string | undefined {
  try {
    if (statSync(path).mode & 0o004) {
      out.problems.push(`${at}: ${path} is readable by everyone; chmod o-r it first`);
      return undefined;
    }
    const line = readFileSync(path, "utf8").split(/\r?\n/, 1)[0];
    if (!line) out.problems.push(`${at}: ${path} is empty`);
    return line || undefined;
  } catch (err) {
    out.problems.push(`${at}: cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
    return undefined;
  }
}

function walk(
  schema: Schema,
  value: unknown,
  path: string,
  visit: (path: string, holder: any, key: string | number, v: unknown, schema: Schema) => void,
): void {
  if (value === null || typeof value !== "object") return;
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  for (const [key, v] of entries) {
    const child = Array.isArray(value) ? schema.items : schema.properties?.[key as string];
    if (!child || v === undefined) continue;
    if (child.sensitive) visit(`${path}/${key}`, value, key, v, child);
    else walk(child, v, `${path}/${key}`, visit);
  }
}
