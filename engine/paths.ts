// Where the project's own files are, whether running from dist/ (compiled) or from source (tests).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  throw new Error(`no package.json above ${from}`);
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const TEMPLATES_DIR = join(PROJECT_ROOT, "templates");
/** Shipped recipes, compiled. */
export const SHIPPED_RECIPES_DIR = join(PROJECT_ROOT, "dist", "recipes");
export const SCHEMA_FILE = join(PROJECT_ROOT, "schema", "run-list.schema.json");
