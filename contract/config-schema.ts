// The job's config file (config.yml), as a JSON Schema: the single source for validation, the
// TypeScript types, and what the backup resources must write. Keep it flat and documented.
import type { FromSchema } from "json-schema-to-ts";
import {
  ASSET,
  BACKUP_NAME,
  COMPRESSION,
  DATABASE_ENTRY,
  HEALTHCHECK,
  HOST_NAME,
  METRICS,
  RETENTION,
  S3_KEY_DESCRIPTIONS,
  S3_LOCATION,
  TIMEOUTS,
} from "./config-fragments.js";

export const backupConfigSchema = {
  $id: "s3-backup-config",
  type: "object",
  additionalProperties: false,
  required: ["name", "s3"],
  properties: {
    name: BACKUP_NAME,
    host: HOST_NAME,
    state_dir: {
      type: "string",
      pattern: "^/",
      description: "Where the monthly state and the lock live. Default: $HOME of the job user.",
    },
    compression: COMPRESSION,
    s3: {
      type: "object",
      additionalProperties: false,
      // The job's keys are needed by `run` alone (runRequirements): an operator restoring on a new
      // machine, or printing the policy before the keys exist, has a config without them.
      required: ["bucket", "region"],
      properties: {
        ...S3_LOCATION,
        access_key_id: { type: "string", minLength: 1, description: S3_KEY_DESCRIPTIONS.access_key_id },
        secret_access_key: {
          type: "string",
          minLength: 1,
          writeOnly: true,
          description: S3_KEY_DESCRIPTIONS.secret_access_key,
        },
      },
    },
    retention: RETENTION,
    assets: {
      type: "array",
      items: ASSET,
      description:
        "Absolute paths backed up as tar streams (directories recursively, symlinks as links), or {path, on_change}.",
    },
    // default {}: ajv then fills in each limit's own default.
    timeouts: { ...TIMEOUTS, default: {} },
    metrics: METRICS,
    healthcheck: { type: "string", ...HEALTHCHECK, writeOnly: true },
    mysql: {
      type: "object",
      additionalProperties: false,
      required: ["defaults_file", "databases"],
      properties: {
        defaults_file: {
          type: "string",
          pattern: "^/",
          description: "The .my.cnf mysqldump reads (user, password, socket or host/port).",
        },
        databases: { type: "array", items: DATABASE_ENTRY },
      },
    },
  },
} as const;

/** A config file as written: what the backup resources build, defaults left to the job. */
export type BackupConfigFile = FromSchema<typeof backupConfigSchema, { keepDefaultedPropertiesOptional: true }>;

/** A config file once validated: ajv has filled in every default. */
export type ValidConfigFile = FromSchema<typeof backupConfigSchema>;

export type Compression = ValidConfigFile["compression"];
