// Compiling a run-list: read and validate it whole, run its recipes, resolve secrets and expand
// composites into one ordered list of primitives. Nothing on the host is touched; any problem
// anywhere is an InputError listing every problem found, each with its JSON path.
import { readFileSync } from "node:fs";
import type { ValidateFunction } from "ajv";
import { InputError } from "./errors.js";
import { importRecipe, locateRecipe, parseRecipeRef } from "./recipes.js";
import type { RecipeContext } from "./recipe-api.js";
import { RESOURCE_NAMES, resourceType } from "./registry.js";
import type { Action, Declaration, Primitive, ResourceType } from "./resource.js";
import { ajv, describeErrors } from "./schema/ajv.js";
import { entrySchema, envelopeSchema } from "./schema/run-list.js";
import { isSensitivePath, resolveSecrets } from "./secrets.js";

/** A primitive ready to converge. */
export interface Node {
  decl: Declaration;
  def: Primitive;
  /** type[name], as reports print it. */
  label: string;
  /** The label of the composite this came from. */
  parent?: string;
  /** The directory of the recipe that declared it. */
  origin?: string;
}

export interface Compiled {
  nodes: Node[];
  warnings: string[];
}

export async function compileFile(file: string, recipePaths: readonly string[]): Promise<Compiled> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError([`${file}: cannot read (${(err as NodeJS.ErrnoException).code})`]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError([`${file}: invalid JSON: ${(err as Error).message}`]);
  }
  return compile(doc, recipePaths);
}

export async function compile(doc: unknown, recipePaths: readonly string[]): Promise<Compiled> {
  const envelope = ajv().compile(envelopeSchema);
  if (!envelope(doc)) throw new InputError(describeErrors(envelope.errors!, doc, "", () => false));
  const c = new Compiler(recipePaths, (doc as any).attributes);
  const runList = (doc as any).run_list as unknown[];
  for (const [i, entry] of runList.entries()) await c.entry(`run_list/${i}`, entry);
  if (c.problems.length) throw new InputError(c.problems);
  return { nodes: c.nodes, warnings: c.warnings };
}

type Step = { decl: Record<string, unknown> } | { include: string };

const validators = new Map<string, ValidateFunction>();

function validatorFor(def: ResourceType): ValidateFunction {
  let v = validators.get(def.type);
  if (!v) validators.set(def.type, (v = ajv().compile(entrySchema(def))));
  return v;
}

class Compiler {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  readonly nodes: Node[] = [];
  private readonly seen = new Map<string, string>();
  private readonly included = new Set<string>();

  constructor(
    private readonly recipePaths: readonly string[],
    private readonly attributes: Record<string, unknown>,
  ) {}

  async entry(where: string, entry: unknown): Promise<void> {
    if (typeof entry !== "string") return this.declare(entry as Record<string, unknown>, where);
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
      this.problems.push(`${at}: the recipe failed: ${(err as Error).message}`);
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

  /** Validates one declaration and adds its primitives. `parent` is set for a composite's children. */
  async declare(decl: Record<string, unknown>, where: string, origin?: string, parent?: string): Promise<void> {
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
      this.problems.push(...describeErrors(validate.errors!, decl, at, sensitive));
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
      const out = { problems: this.problems, warnings: this.warnings };
      const before = this.problems.length;
      resolveSecrets(def.schema as any, d.properties, `${at} properties`, out);
      if (this.problems.length > before) return;
    }
    if (def.kind === "primitive") {
      this.nodes.push({ decl: d, def, label, parent, origin });
      return;
    }
    for (const child of def.expand(d.name, d.properties, d.action)) {
      await this.declare(child as unknown as Record<string, unknown>, at, origin, label);
    }
  }
}
