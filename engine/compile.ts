// Compiling a run-list: read and validate it whole, run its recipes, resolve secrets, render
// templates and expand composites into one ordered list of primitives. Nothing on the host is
// touched; any problem anywhere is an InputError listing every problem found, each with its JSON path.
import { dirname, resolve } from "node:path";
import { InputError, reasonOf } from "./errors.js";
import { parseStrictJson } from "./input/json.js";
import { readInputFile } from "./input/read.js";
import { textProblems } from "./input/text.js";
import { importRecipe, locateRecipe, parseRecipeRef } from "./recipes.js";
import type { RecipeContext } from "./recipe-api.js";
import { RESOURCE_NAMES, resourceType } from "./registry.js";
import type { Action, Declaration, Primitive, ResourceType } from "./resource.js";
import { validator } from "./schema/ajv.js";
import { describeErrors } from "./schema/describe.js";
import { entrySchema, envelopeSchema } from "./schema/run-list.js";
import {
  type Declared,
  exposureOf,
  isSensitivePath,
  plainTexts,
  redactor,
  type Resolution,
  resolveSecrets,
} from "./secrets.js";

/** A primitive ready to converge. */
export interface Node {
  decl: Declaration;
  def: Primitive;
  /** type[name], as reports print it. */
  label: string;
  /** The label of the composite this came from. */
  parent?: string;
}

export interface Compiled {
  nodes: Node[];
  warnings: string[];
}

/** A run-list path as messages print it: "properties/minute", without the pointer's leading "/". */
const relative = (pointer: string) => pointer.replace(/^\//, "");

/** Reads the run-list file (a regular file, bounded, UTF-8, strict JSON) and compiles it. */
export async function compileFile(file: string, recipePaths: readonly string[]): Promise<Compiled> {
  const doc = parseStrictJson(readInputFile(file).text, file);
  return compile(doc, recipePaths, dirname(resolve(file)));
}

/** Compiles a parsed run-list; `baseDir` is where inline resources' relative template sources are. */
export async function compile(doc: unknown, recipePaths: readonly string[], baseDir?: string): Promise<Compiled> {
  const envelope = validator("run-list", () => envelopeSchema);
  if (!envelope(doc))
    throw new InputError(describeErrors(envelope.errors!, doc, { where: relative, mayQuote: () => true }));
  const c = new Compiler(recipePaths, (doc as any).attributes, baseDir);
  const runList = (doc as any).run_list as unknown[];
  for (const [i, entry] of runList.entries()) await c.entry(`run_list/${i}`, entry);
  c.checkSecrets();
  if (c.problems.length) throw new InputError(c.problems);
  return { nodes: c.nodes, warnings: c.warnings };
}

type Step = { decl: Record<string, unknown> } | { include: string };

/** The validator of one inline entry of this type (scripts/validators.mjs compiles the same ones). */
const validatorFor = (def: ResourceType) => validator(`resource:${def.type}`, () => entrySchema(def), def.keywords);

class Compiler {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  readonly nodes: Node[] = [];
  private readonly seen = new Map<string, string>();
  private readonly included = new Set<string>();
  private readonly secrets: (Resolution["resolved"][number] & { at: string })[] = [];
  private readonly declared: Declared[] = [];

  constructor(
    private readonly recipePaths: readonly string[],
    private readonly attributes: Record<string, unknown>,
    private readonly baseDir?: string,
  ) {}

  async entry(where: string, entry: unknown): Promise<void> {
    if (typeof entry !== "string") return this.declare(entry as Record<string, unknown>, where, this.baseDir);
    const ref = parseRecipeRef(entry);
    if (!ref || !entry.startsWith("recipe[")) {
      this.problems.push(
        `${where}: ${JSON.stringify(entry)} is not a recipe reference; expected recipe[COOKBOOK::RECIPE]`,
      );
      return;
    }
    await this.recipe(ref.label, where);
  }

  /** Runs a recipe once, declaring what it declares; `where` says who asked for it. */
  private async recipe(label: string, where: string): Promise<void> {
    const ref = parseRecipeRef(label)!;
    if (this.included.has(ref.label)) return;
    this.included.add(ref.label);
    const found = locateRecipe(ref, this.recipePaths);
    if (!("file" in found)) {
      this.problems.push(`${where}: ${ref.label} not found (looked in ${found.searched.join(", ")})`);
      return;
    }
    // Declarations and includes, in the order the recipe made them; includes run in place.
    const steps: Step[] = [];
    const at = `${where} ${ref.label}`;
    let origin: string | undefined;
    try {
      const { recipe, dir } = await importRecipe(found.file);
      origin = dir;
      await recipe(this.context(steps));
    } catch (err) {
      this.problems.push(`${at}: the recipe failed: ${reasonOf(err)}`);
      return;
    }
    for (const step of steps) {
      if ("include" in step) await this.recipe(step.include, at);
      else await this.declare(step.decl, at, origin);
    }
  }

  /** The API a recipe sees; it only records steps, so a recipe can never touch the host. */
  private context(steps: Step[]): RecipeContext {
    const add = (type: string, name: string, properties: unknown = {}, action: Action = "create") =>
      void steps.push({ decl: { type, name, action, properties } });
    const shorthands = Object.fromEntries(
      RESOURCE_NAMES.map((type) => [
        type,
        (name: string, props?: unknown, action?: Action) => add(type, name, props, action),
      ]),
    );
    return {
      ...shorthands,
      attributes: this.attributes,
      resource: add,
      include: async (other: string) => {
        const ref = parseRecipeRef(other);
        if (!ref) throw new Error(`include(${JSON.stringify(other)}): expected "cookbook::recipe"`);
        steps.push({ include: ref.label });
      },
      env: (variable: string) => ({ env: variable }),
      file: (path: string) => ({ file: path }),
    } as unknown as RecipeContext;
  }

  /**
   * Secrets that occur in a name or another plain value are refused (exposureOf); the others are
   * handed to the redactor, which masks them in all output from then on.
   */
  checkSecrets(): void {
    const plain = plainTexts(this.declared);
    for (const { at, path, value } of this.secrets) {
      const exposure = exposureOf(value, plain);
      if (!exposure) redactor.add(value);
      else
        this.problems.push(
          `${at} properties${path}: the secret occurs in ${exposure}, which output prints as it is: masking it there would reveal it; choose a secret that is part of no name or other plain value`,
        );
    }
  }

  /**
   * Validates one declaration and adds its primitives. `parent` is set for a composite's
   * children; `root` is the run-list entry it all came from, for messages that must name no name.
   */
  async declare(
    decl: Record<string, unknown>,
    where: string,
    origin?: string,
    parent?: string,
    root = where,
  ): Promise<void> {
    const def = typeof decl?.type === "string" ? await resourceType(decl.type) : undefined;
    if (!def) {
      const known = RESOURCE_NAMES.join(", ");
      this.problems.push(
        typeof decl?.type === "string"
          ? `${where}: unknown resource type ${JSON.stringify(decl.type)} (known: ${known})`
          : `${where}: an inline resource needs "type" (one of: ${known})`,
      );
      return;
    }
    const label = `${def.type}[${typeof decl.name === "string" && decl.name ? decl.name : "?"}]`;
    const at = parent ? `${where} > ${label}` : `${where} (${label})`;
    const validate = validatorFor(def);
    if (!validate(decl)) {
      const sensitive = (p: string) =>
        p.startsWith("/properties/") && isSensitivePath(def.schema as any, p.slice("/properties".length));
      const where = (p: string) => [at, relative(p)].filter(Boolean).join(" ");
      this.problems.push(...describeErrors(validate.errors!, decl, { where, mayQuote: (p) => !sensitive(p) }));
      return;
    }
    const d = decl as unknown as Declaration;
    const checked = def.check?.(d.properties, d.action, d.name) ?? [];
    if (checked.length) return void this.problems.push(...checked.map((p) => `${at} ${p}`));
    const key = `${def.type}[${def.identity?.(d.name, d.properties) ?? d.name}]`;
    const first = this.seen.get(key);
    if (first) return void this.problems.push(`${at}: duplicate of ${first} (each type[name] may be declared once)`);
    this.seen.set(key, at);
    // A composite's children get values its parent already resolved.
    if (!parent) {
      const out: Resolution = { problems: this.problems, warnings: this.warnings, resolved: [] };
      const before = this.problems.length;
      resolveSecrets(def.schema as any, d.properties, `${at} properties`, out);
      this.secrets.push(...out.resolved.map((s) => ({ ...s, at: root })));
      if (this.problems.length > before) return;
    }
    const schema = { properties: { name: def.nameSchema ?? {}, properties: def.schema } };
    const text = textProblems({ name: d.name, properties: d.properties }, schema as never);
    if (text.length) return void this.problems.push(...text.map((t) => `${at} ${t.path.slice(1)}: ${t.problem}`));
    this.declared.push({ root, type: def.type, name: d.name, schema: def.schema as never, properties: d.properties });
    if (def.kind === "primitive") {
      const prepared = (await def.prepare?.(d.properties, d.action, origin)) ?? [];
      if (prepared.length) return void this.problems.push(...prepared.map((p) => `${at} ${p}`));
      this.nodes.push({ decl: d, def, label, parent });
      return;
    }
    for (const child of def.expand(d.name, d.properties, d.action)) {
      await this.declare(child as unknown as Record<string, unknown>, at, origin, label, root);
    }
  }
}
