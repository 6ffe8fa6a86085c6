// The API a recipe is written against. A recipe is a module whose default export is a
// function of this context; it declares resources and never touches the host itself.
//
//   import type { Recipe } from "s3-converge/recipe";
//   const recipe: Recipe = (r) => {
//     r.directory("/srv/app", { owner: "www-data", mode: "0750" });
//   };
//   export default recipe;
import type { ResourceInputs } from "./registry.js";
import type { Action } from "./resource.js";
import type { SecretRef } from "./schema/fragments.js";

export type { Action, ResourceInputs, SecretRef };

type Declare<P> = (name: string, properties?: P, action?: Action) => void;

export type RecipeContext = {
  /** The run-list's `attributes`. */
  readonly attributes: Record<string, any>;
  /** Declares a resource of any type (the typed shorthands below do the same). */
  resource<T extends keyof ResourceInputs>(
    type: T,
    name: string,
    properties?: ResourceInputs[T],
    action?: Action,
  ): void;
  /** Runs another recipe here, once per converge ("cookbook::recipe", Chef's include_recipe). */
  include(recipe: string): Promise<void>;
  /** A secret read from converge's environment, for a sensitive property. */
  env(variable: string): SecretRef;
  /** A secret read from the first line of a file that is not world-readable. */
  file(path: string): SecretRef;
} & { readonly [T in keyof ResourceInputs]: Declare<ResourceInputs[T]> };

export type Recipe = (r: RecipeContext) => void | Promise<void>;
