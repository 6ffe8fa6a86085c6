// Every resource type the engine knows, by name: one line each in TYPES below. A type's module is
// loaded only when a run-list uses it, so a converge pays for what it converges; the run-list
// schema, validation and the recipe API (what a recipe may write for each type) follow from it.
import type { ResourceType } from "./resource.js";
import type { InputOf } from "./schema/types.js";

const TYPES = {
  system_user: () => import("../resources/system_user.js"),
  directory: () => import("../resources/directory.js"),
  template_file: () => import("../resources/template_file.js"),
  cron_entry: () => import("../resources/cron_entry.js"),
  mysql_user: () => import("../resources/mysql_user.js"),
  access_check: () => import("../resources/access_check.js"),
  node_exporter_textfile: () => import("../resources/node_exporter_textfile.js"),
  s3_file_backup: () => import("../resources/s3_file_backup.js"),
  s3_mysql_backup: () => import("../resources/s3_mysql_backup.js"),
};

type Types = typeof TYPES;

/** The names of all types, in the order docs and the schema list them. */
export const RESOURCE_NAMES = Object.keys(TYPES) as readonly (keyof Types)[];

const loaded = new Map<string, Promise<ResourceType>>();

/** The type's definition, or undefined for an unknown name. */
export function resourceType(type: string): Promise<ResourceType | undefined> {
  if (!Object.hasOwn(TYPES, type)) return Promise.resolve(undefined);
  // Each declaration asks: a dynamic import of a loaded module still costs a trip through the loader.
  if (!loaded.has(type)) loaded.set(type, definitionIn(type, TYPES[type as keyof Types]()));
  return loaded.get(type)!;
}

/** The definition a type's module exports: the one whose `type` is the name. */
async function definitionIn(type: string, module: Promise<Record<string, unknown>>): Promise<ResourceType> {
  const found = Object.values(await module).find((v) => (v as ResourceType | undefined)?.type === type);
  if (!found) throw new Error(`resources module for ${type} exports no definition of type ${type}`);
  return found as ResourceType;
}

/** Every type's definition (for the generated schema). */
export function allResourceTypes(): Promise<ResourceType[]> {
  return Promise.all(RESOURCE_NAMES.map((n) => resourceType(n) as Promise<ResourceType>));
}

/** What a recipe may write for each type's properties: its module's schema. */
export type ResourceInputs = { [T in keyof Types]: InputOf<Awaited<ReturnType<Types[T]>>["schema"]> };
