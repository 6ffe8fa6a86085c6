// The one ajv configuration every validator comes from: its options, the engine's own keywords,
// and the keywords resources bring with their schemas (a resource type lists them in `keywords`).
// The bundles carry every validator compiled ahead of time (scripts/validators.mjs): a command
// finds its validator by name and never loads ajv's compiler. Run from source (the unit specs),
// nothing is precompiled and the same options compile the schema on first use.
import type { Ajv, KeywordDefinition, Options, ValidateFunction } from "ajv";
import { Name, type CodeGen } from "ajv/dist/compile/codegen/index.js";
import { createRequire } from "node:module";
import { precompiled } from "./precompiled.js";

/** ajv's options for every validator, at run time and at build time. */
export const AJV_OPTIONS: Options = {
  allErrors: true,
  // verbose: errors carry their schema, whose title, description and property names make better messages.
  verbose: true,
  // Our schemas are checked against the meta-schema by the test suite (spec/schema.spec.ts);
  // doing it again on every compile costs more than compiling them.
  validateSchema: false,
  useDefaults: true,
  strictSchema: true,
  // strictRequired/strictTypes would reject the conditional "required" that remove needs.
  strictRequired: false,
  strictTypes: false,
};

/** The engine's own keywords, annotations that generate no code. */
export const ENGINE_KEYWORDS: readonly KeywordDefinition[] = [
  // Read by engine/secrets.ts: a value never quoted, a reference resolved at load.
  { keyword: "sensitive", schemaType: "boolean" },
  // Read by engine/input/text.ts (which characters a value may hold) and the secret checks.
  { keyword: "freeText", schemaType: "string" },
];

/** A new ajv with the shared options and the engine's keywords; `extra` for the build's code options. */
export function newAjv(AjvClass: typeof Ajv, extra: Options = {}): Ajv {
  const ajv = new AjvClass({ ...AJV_OPTIONS, ...extra });
  for (const k of ENGINE_KEYWORDS) ajv.addKeyword(k);
  return ajv;
}

/** Adds those of `keywords` that ajv does not know yet. */
export function addKeywords(ajv: Ajv, keywords: readonly KeywordDefinition[]): void {
  for (const k of keywords) if (!ajv.getKeyword(k.keyword as string)) ajv.addKeyword(k);
}

/** Functions that keywords' generated code calls, by the name the precompiled validators import them as. */
export const RUNTIME_IMPORTS = new Map<string, { module: string; name: string }>();

/**
 * A reference, in a keyword's generated code, to `fn`, the export `name` of `module` (a path from
 * the project root): in memory at run time, an import in the precompiled validators.
 */
export function runtimeFunction(gen: CodeGen, module: string, name: string, fn: Function): Name {
  const alias = `${module.replace(/\W/g, "_")}__${name}`;
  RUNTIME_IMPORTS.set(alias, { module, name });
  // A plain identifier: the precompiled module imports it under this alias (scripts/validators.mjs).
  return gen.scopeValue("func", { ref: fn, code: new Name(alias) });
}

let instance: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/**
 * The validator named `name` ("run-list", "resource:cron_entry", "config.yml", "manifest"): in a
 * bundle, the one compiled at build time; from source, `schema()` compiled with `keywords` on
 * first use.
 */
export function validator<T = unknown>(
  name: string,
  schema: () => object,
  keywords: readonly KeywordDefinition[] = [],
): ValidateFunction<T> {
  let v = precompiled.validators[name] ?? compiled.get(name);
  if (v) return v as ValidateFunction<T>;
  // A bundle that lacks one was built from a list that missed it: loud, not slow.
  if (precompiled.complete) throw new Error(`no validator named ${name} was compiled into this build`);
  instance ??= newAjv(createRequire(import.meta.url)("ajv").Ajv);
  addKeywords(instance, keywords);
  compiled.set(name, (v = instance.compile(schema())));
  return v as ValidateFunction<T>;
}
