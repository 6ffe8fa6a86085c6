// Every resource type the engine knows, by name. Adding a type is one import and one line in
// each list below; the run-list schema, validation and the recipe API follow from them.
import * as cron_entry from "../resources/cron_entry.js";
import * as directory from "../resources/directory.js";
import * as mysql_user from "../resources/mysql_user.js";
import * as s3_file_backup from "../resources/s3_file_backup.js";
import * as s3_mysql_backup from "../resources/s3_mysql_backup.js";
import * as system_user from "../resources/system_user.js";
import * as template_file from "../resources/template_file.js";
import type { ResourceType } from "./resource.js";
import type { InputOf } from "./schema/types.js";

export const RESOURCE_TYPES: readonly ResourceType[] = [
  system_user.systemUser,
  directory.directory,
  template_file.templateFile,
  cron_entry.cronEntry,
  mysql_user.mysqlUser,
  s3_file_backup.s3FileBackup,
  s3_mysql_backup.s3MysqlBackup,
];

const byName = new Map(RESOURCE_TYPES.map((t) => [t.type, t]));

export function resourceType(type: string): ResourceType | undefined {
  return byName.get(type);
}

/** What a recipe may write for each type's properties. */
export interface ResourceInputs {
  system_user: InputOf<typeof system_user.schema>;
  directory: InputOf<typeof directory.schema>;
  template_file: InputOf<typeof template_file.schema>;
  cron_entry: InputOf<typeof cron_entry.schema>;
  mysql_user: InputOf<typeof mysql_user.schema>;
  s3_file_backup: InputOf<typeof s3_file_backup.schema>;
  s3_mysql_backup: InputOf<typeof s3_mysql_backup.schema>;
}
