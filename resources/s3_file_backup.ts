// s3_file_backup: the seed's file backup; expands into the primitives of resources/backup/common.ts.
import { nameClashes } from "../backup/names.js";
import { defineComposite } from "../engine/resource.js";
import { absolutePath } from "../engine/schema/fragments.js";
import { backupName, commonProperties, expandBackup, homeProblems, type CommonProps } from "./backup/common.js";

export const schema = {
  type: "object",
  properties: {
    ...commonProperties,
    assets: { type: "array", items: absolutePath, minItems: 1, uniqueItems: true, description: "paths to back up" },
  },
  required: ["s3", "assets"],
  additionalProperties: false,
} as const;

type Props = CommonProps & { assets: string[] };

export const s3FileBackup = defineComposite<Props>({
  type: "s3_file_backup",
  description: "A scheduled backup of files and directories to S3: user, config, script and cron job.",
  schema,
  nameSchema: backupName,
  check: (props, action, name) =>
    action === "create"
      ? [...homeProblems(name, props, props.assets), ...nameClashes(props.assets).map((p) => `properties/assets: ${p}`)]
      : [],
  expand: (name, props, action) =>
    expandBackup("s3_file_backup", name, props, action, { config: { assets: props.assets }, extra: [] }),
});
