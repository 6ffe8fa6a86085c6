// Sensitive properties: resolving {"env"} / {"file"} references, and keeping every resolved
// value out of output. Schemas mark them with `sensitive: true`; nothing else decides.
import { createHmac, randomBytes } from "node:crypto";
import { InputError } from "./errors.js";
import { readInputFile } from "./input/read.js";
import { childSchema, type SchemaNode } from "./schema/navigate.js";

/**
 * Every occurrence of a secret in output is masked, wherever it stands. A short one would also
 * match parts of names, paths and messages, and the mask there would point at it (a password
 * "shop" turns backup_shop into backup_********). At 8 characters a chance match is unlikely, and
 * 8 is the least NIST SP 800-63B allows for a memorized secret; names that hold the secret are
 * refused whatever its length (exposureOf).
 */
export const MIN_SECRET_LENGTH = 8;
/** A secret file holds one line: a secret, not a document. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

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

let tagKey: Buffer | undefined;

/**
 * A stand-in for a secret where secrets must be told apart in text that is shown (a key the host
 * logs at debug level): equal for equal secrets within this process, and of no help to guess the
 * secret from, being keyed by a random key of this process that is never shown (a plain hash of a
 * short password is reversed by trying candidates; a secret under 8 characters is not even masked).
 */
export function secretTag(secret: string): string {
  tagKey ??= randomBytes(32);
  return createHmac("sha256", tagKey).update(secret, "utf8").digest("hex").slice(0, 16);
}

type Schema = SchemaNode & {
  sensitive?: boolean;
  freeText?: string;
  /** A sensitive value of a given form: its first branch is the literal, whose pattern a referenced value must match too. */
  anyOf?: { pattern?: string; title?: string }[];
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
  /** Each secret resolved, by its JSON pointer under the value; not yet known to the redactor. */
  resolved: { path: string; value: string }[];
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
        `${at}: shorter than ${MIN_SECRET_LENGTH} characters: too short to be a secret, or to mask in output without pointing at it`,
      );
      return;
    }
    const shape = child.anyOf?.[0];
    if (typeof v !== "string" && shape?.pattern && !new RegExp(shape.pattern, "u").test(resolved)) {
      out.problems.push(`${at}: the value it refers to is not ${shape.title ?? "of the expected form"}`);
      return;
    }
    out.resolved.push({ path, value: resolved });
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
    const { text, stat } = readInputFile(path, MAX_SECRET_FILE_BYTES);
    if (stat.mode & 0o004) {
      out.problems.push(`${at}: ${path} is readable by everyone; chmod o-r it first`);
      return undefined;
    }
    const line = text.split(/\r?\n/, 1)[0];
    if (!line) out.problems.push(`${at}: ${path} is empty`);
    return line || undefined;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    out.problems.push(`${at}: ${err.message}`);
    return undefined;
  }
}

/** A declaration as validated, for exposureOf. */
export interface Declared {
  /** The run-list entry it comes from, without any name ("run_list/0"). */
  root: string;
  type: string;
  name: string;
  schema: Schema;
  properties: unknown;
}

/** The names and other plain values (neither sensitive nor free text) of the declarations. */
export interface PlainTexts {
  /** Each text, and where it stands, naming no value (the value could hold a secret): said only of a text that holds one. */
  texts: { text: string; where: () => string }[];
  /** All texts joined by NUL: one search tells that a secret is in none of them, the usual answer. */
  joined: string;
}

/** Every name and other plain value of the declarations (object keys included), in order: listed once for all secrets. */
export function plainTexts(declared: readonly Declared[]): PlainTexts {
  const texts: PlainTexts["texts"] = [];
  for (const d of declared) {
    texts.push({ text: d.name, where: () => `the name of a resource (${d.type}) declared by ${d.root}` });
    // Only the first level of the path: a deeper key could itself be the secret.
    eachPlain(d.schema, d.properties, "properties", (text, path) =>
      texts.push({
        text,
        where: () => `${path.split("/").slice(0, 2).join("/")} of a resource (${d.type}) declared by ${d.root}`,
      }),
    );
  }
  return { texts, joined: texts.map((t) => t.text).join("\0") };
}

/**
 * Where `secret` occurs inside a name or another plain value of the declarations (plainTexts),
 * or undefined. Output prints those as they are, so masking the secret there would reveal it,
 * and anyone who reads the name could guess it.
 */
export function exposureOf(secret: string, plain: PlainTexts): string | undefined {
  // Found in the joined texts, it may still span two (a secret read from a file may hold a NUL).
  if (!plain.joined.includes(secret)) return undefined;
  return plain.texts.find(({ text }) => text.includes(secret))?.where();
}

/** Calls found with each plain (neither sensitive nor free-text) string or key under `value` and its path. */
function eachPlain(
  schema: Schema | undefined,
  value: unknown,
  path: string,
  found: (text: string, path: string) => void,
): void {
  if (schema?.sensitive || schema?.freeText) return;
  if (typeof value === "string") return found(value, path);
  if (value === null || typeof value !== "object") return;
  for (const [key, v] of Object.entries(value)) {
    if (!Array.isArray(value)) found(key, `${path}/${key}`);
    eachPlain(childSchema(schema, key, Array.isArray(value)), v, `${path}/${key}`, found);
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
    const child = childSchema(schema, String(key), Array.isArray(value));
    if (!child || v === undefined) continue;
    if (child.sensitive) visit(`${path}/${key}`, value, key, v, child);
    else walk(child, v, `${path}/${key}`, visit);
  }
}
