// s3_file_backup: the seed's file backup; expands into the primitives of resources/backup/common.ts.
import { nameClashes } from "../contract/names.js";
import { defineComposite } from "../engine/resource.js";
import { ASSET } from "../contract/config-fragments.js";
import type { PropsOf } from "../engine/schema/types.js";
import { backupName, commonKeywords, commonProperties, expandBackup, homeProblems } from "./backup/common.js";

export const schema = {
  type: "object",
  properties: {
    ...commonProperties,
    assets: {
      type: "array",
      items: ASSET,
      minItems: 1,
      uniqueItems: true,
      description: 'paths to back up, or {path, on_change: "fail"|"warn"} (a file changing while it is read)',
    },
  },
  required: ["s3", "assets"],
  additionalProperties: false,
} as const;

type Props = PropsOf<typeof schema>;
type AssetProp = Props["assets"][number];

const pathOf = (a: AssetProp) => (typeof a === "string" ? a : a.path);

export const s3FileBackup = defineComposite<Props>({
  type: "s3_file_backup",
  description: "A scheduled backup of files and directories to S3: user, config, script and cron job.",
  keywords: commonKeywords,
  schema,
  nameSchema: backupName,
  check: (props, action, name) =>
    action === "create"
      ? [
          ...homeProblems(name, props, props.assets.map(pathOf)),
          ...nameClashes(props.assets.map(pathOf)).map((p) => `properties/assets: ${p}`),
        ]
      : [],
  expand: (name, props, action) =>
    expandBackup("s3_file_backup", name, props, action, { config: { assets: props.assets }, extra: [] }),
});
