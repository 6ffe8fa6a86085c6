// Finding and loading recipes: recipe[COOKBOOK::RECIPE] is COOKBOOK/RECIPE.{ts,js,mjs} in a
// --recipe-path directory (searched first, in order) or among the recipes shipped with the engine.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { importExternal } from "./import-external.js";
import { SHIPPED_RECIPES_DIR } from "./paths.js";
import type { Recipe } from "./recipe-api.js";
import { RECIPE_PATTERN } from "./schema/run-list.js";

export interface RecipeRef {
  cookbook: string;
  recipe: string;
  /** Chef's spelling, for messages: recipe[cookbook::recipe]. */
  label: string;
}

const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/** Parses "recipe[cb::r]", "recipe[cb]" or, for include(), "cb::r". */
export function parseRecipeRef(text: string): RecipeRef | undefined {
  const m =
    new RegExp(RECIPE_PATTERN).exec(text) ??
    /^([A-Za-z0-9][A-Za-z0-9_.-]*)(?:::([A-Za-z0-9][A-Za-z0-9_.-]*))?$/.exec(text);
  if (!m) return undefined;
  const [cookbook, recipe = "default"] = [m[1], m[2]];
  return { cookbook, recipe, label: `recipe[${cookbook}::${recipe}]` };
}

/** The file holding the recipe, or a list of where it was looked for. */
export function locateRecipe(
  ref: RecipeRef,
  recipePaths: readonly string[],
): { file: string } | { searched: string[] } {
  const searched: string[] = [];
  for (const dir of [...recipePaths, SHIPPED_RECIPES_DIR]) {
    for (const ext of EXTENSIONS) {
      const file = join(dir, ref.cookbook, `${ref.recipe}${ext}`);
      if (existsSync(file)) return { file };
    }
    searched.push(join(dir, ref.cookbook));
  }
  return { searched };
}

/** Imports a recipe module; TypeScript ones through tsx, loaded only when one is used. */
export async function importRecipe(file: string): Promise<{ recipe: Recipe; dir: string }> {
  const url = pathToFileURL(file).href;
  let mod;
  if (/\.m?ts$/.test(file)) {
    // tsx would otherwise cache compiled recipes under /tmp: converge writes only through the host.
    process.env.TSX_DISABLE_CACHE = "1";
    mod = await (await importExternal("tsx/esm/api")).tsImport(url, import.meta.url);
  } else {
    mod = await importExternal(url);
  }
  const recipe = mod.default?.default ?? mod.default;
  if (typeof recipe !== "function") throw new Error(`${file} must export a default function (r) => { ... }`);
  return { recipe, dir: dirname(file) };
}
