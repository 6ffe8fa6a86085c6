// Every resource type the engine knows, by name. A type's module is loaded only when a run-list
// uses it, so a converge pays for what it converges. Adding a type is one line in each list below;
// the run-list schema, validation and the recipe API follow from them.
import type * as access_check from "../resources/access_check.js";
import type * as cron_entry from "../resources/cron_entry.js";
import type * as directory from "../resources/directory.js";
import type * as mysql_user from "../resources/mysql_user.js";
import type * as node_exporter_textfile from "../resources/node_exporter_textfile.js";
import type * as s3_file_backup from "../resources/s3_file_backup.js";
import type * as s3_mysql_backup from "../resources/s3_mysql_backup.js";
import type * as system_user from "../resources/system_user.js";
import type * as template_file from "../resources/template_file.js";
import type { ResourceType } from "./resource.js";
import type { InputOf } from "./schema/types.js";

const LOADERS: Record<string, () => Promise<ResourceType>> = {
  system_user: async () => (await import("../resources/system_user.js")).systemUser,
  directory: async () => (await import("../resources/directory.js")).directory,
  template_file: async () => (await import("../resources/template_file.js")).templateFile,
  cron_entry: async () => (await import("../resources/cron_entry.js")).cronEntry,
  mysql_user: async () => (await import("../resources/mysql_user.js")).mysqlUser,
  access_check: async () => (await import("../resources/access_check.js")).accessCheck,
  node_exporter_textfile: async () => (await import("../resources/node_exporter_textfile.js")).nodeExporterTextfile,
  s3_file_backup: async () => (await import("../resources/s3_file_backup.js")).s3FileBackup,
  s3_mysql_backup: async () => (await import("../resources/s3_mysql_backup.js")).s3MysqlBackup,
};

/** The names of all types, in the order docs and the schema list them. */
export const RESOURCE_NAMES: readonly string[] = Object.keys(LOADERS);

const loaded = new Map<string, Promise<ResourceType>>();

/** The type's definition, or undefined for an unknown name. */
export function resourceType(type: string): Promise<ResourceType | undefined> {
  if (!Object.hasOwn(LOADERS, type)) return Promise.resolve(undefined);
  // Each declaration asks: a dynamic import of a loaded module still costs a trip through the loader.
  if (!loaded.has(type)) loaded.set(type, LOADERS[type]());
  return loaded.get(type)!;
}

/** Every type's definition (for the generated schema). */
export function allResourceTypes(): Promise<ResourceType[]> {
  return Promise.all(RESOURCE_NAMES.map((n) => LOADERS[n]()));
}

/** What a recipe may write for each type's properties. */
export interface ResourceInputs {
  system_user: InputOf<typeof system_user.schema>;
  directory: InputOf<typeof directory.schema>;
  template_file: InputOf<typeof template_file.schema>;
  cron_entry: InputOf<typeof cron_entry.schema>;
  mysql_user: InputOf<typeof mysql_user.schema>;
  access_check: InputOf<typeof access_check.schema>;
  node_exporter_textfile: InputOf<typeof node_exporter_textfile.schema>;
  s3_file_backup: InputOf<typeof s3_file_backup.schema>;
  s3_mysql_backup: InputOf<typeof s3_mysql_backup.schema>;
}
