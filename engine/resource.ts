// What a resource type is: a schema plus either load/diff/apply (a primitive) or expand
// (a composite). The runner is the only caller of these functions.
import type { KeywordDefinition } from "ajv";
import type { MissingDetail, Needed } from "./assumptions.js";
import type { Host, HostView } from "./host.js";

export type Action = "create" | "remove";
export const ACTIONS: readonly Action[] = ["create", "remove"];

/**
 * One difference between desired and current state, as data: the report prints its summary, and
 * apply carries out its operation, so why-run and a real run cannot disagree.
 */
export interface Change<O = unknown> {
  /** The property it concerns, or "" for the resource as a whole. */
  property: string;
  /** Imperative, lower case, without "would": "set shell to \"/bin/sh\" (was \"/bin/bash\")". */
  summary: string;
  /** A unified diff, when one helps and nothing in it is sensitive. */
  diff?: string;
  /** What apply does for this change; never printed (it may hold a secret the summary masks). */
  op: O;
}

/** The declaration a primitive's functions are about. */
export interface Declared<P> {
  readonly name: string;
  readonly props: P;
  readonly action: Action;
}

/** What a resource loads for, and may ask the runner while loading state. */
export interface LoadContext<P = unknown> extends Declared<P> {
  readonly host: HostView;
  readonly whyRun: boolean;
  /** Records a why-run assumption ("user x would have been created"). */
  assume(text: string): void;
  /**
   * Reports that `thing` ("user:backup_shop", "dir:/y"), which this resource needs, does not
   * exist. Returns when why-run may assume an earlier resource of the run creates it (the
   * assumption is reported); throws PreconditionError otherwise (engine/assumptions.ts decides).
   */
  missing(thing: Needed, detail?: MissingDetail): void;
}

/** Current and desired state side by side, as loaded. */
export interface State<S, D = S> {
  current: S | undefined;
  desired: D;
}

export interface PropertySchema {
  type: "object";
  properties: Record<string, unknown>;
  required?: readonly string[];
  additionalProperties?: boolean;
  [k: string]: unknown;
}

interface Common<P> {
  readonly type: string;
  /** One line for docs and the generated schema. */
  readonly description: string;
  /** JSON Schema of `properties`; `required` applies to the create action only. */
  readonly schema: PropertySchema;
  /** The ajv keywords `schema` uses beyond JSON Schema's and the engine's (e.g. cron's grammar). */
  readonly keywords?: readonly KeywordDefinition[];
  /** JSON Schema of the name, where it is more than a non-empty string (a path, an account). */
  readonly nameSchema?: Record<string, unknown>;
  /** Rules across properties that a schema says badly; each problem is one line, exit 2. */
  check?(props: P, action: Action, name: string): string[];
  /** The identity used for duplicate detection; default the name. */
  identity?(name: string, props: P): string;
}

/** What diff plans from: the declaration and the state loaded for it. */
export interface PlanContext<P, S, D> extends Declared<P> {
  readonly state: State<S, D>;
}

/** What apply is given: the writable host and exactly the operations diff planned, in order. */
export interface ApplyContext<P, S, D, O> extends PlanContext<P, S, D> {
  readonly host: Host;
  readonly ops: readonly O[];
}

export interface Primitive<P = any, S = any, D = any, O = any> extends Common<P> {
  readonly kind: "primitive";
  /**
   * Completes the properties during validation, before anything on the host is read (a template
   * is rendered here, so a missing one stops the run before any change). May set properties in
   * place; returns one line per problem, exit 2. `origin` is the folder relative names start from.
   */
  prepare?(props: P, action: Action, origin: string | undefined): Promise<string[]>;
  load(ctx: LoadContext<P>): Promise<State<S, D>>;
  /** Pure: the changes that would bring current to desired, each with its operation. */
  diff(ctx: PlanContext<P, S, D>): Change<O>[];
  /** Carries out exactly the operations diff planned (ctx.ops), nothing recomputed. */
  apply(ctx: ApplyContext<P, S, D, O>): Promise<void>;
  /**
   * Housekeeping after each real converge of this resource that changes nothing it manages
   * (leftovers of an interrupted write): announced to the host like any write, never reported.
   * Given what apply is given (ops is empty when nothing was planned).
   */
  tidy?(ctx: ApplyContext<P, S, D, O>): Promise<void>;
  /** What this resource creates that later resources may rely on, e.g. "user:x", "dir:/y". */
  provides?(name: string, props: P, action: Action): string[];
  /**
   * Loads the modules load imports only on first use (a driver), touching nothing: the build's
   * warm-up calls it so that V8's code cache holds them compiled (scripts/warm-code-cache.mjs).
   */
  preload?(): Promise<unknown>;
}

/** A declaration of a resource, as found in a run-list, a recipe or an expansion. */
export interface Declaration {
  type: string;
  name: string;
  action: Action;
  properties: Record<string, unknown>;
}

export interface Composite<P = any> extends Common<P> {
  readonly kind: "composite";
  /** The primitives (or composites) this stands for, in order. Never touches the host. */
  expand(name: string, props: P, action: Action): Declaration[];
}

export type ResourceType = Primitive | Composite;

export function definePrimitive<P, S, D = S, O = never>(
  def: Omit<Primitive<P, S, D, O>, "kind">,
): Primitive<P, S, D, O> {
  return { kind: "primitive", ...def };
}

export function defineComposite<P>(def: Omit<Composite<P>, "kind">): Composite<P> {
  return { kind: "composite", ...def };
}
