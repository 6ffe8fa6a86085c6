// The job's config file (config.yml), as a JSON Schema: the single source for validation, the
// TypeScript type, and what the converge template must produce. Keep it flat and documented.
import type { FromSchema } from "json-schema-to-ts";

const HOST = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
// No "--" in a backup's name: it separates NAME from RANDOM in manifest keys, so "shop" would
// otherwise read as a prefix of "shop--old"'s manifests.
const NAME = "^(?!.*--)[A-Za-z0-9][A-Za-z0-9_.-]*$";

export const backupConfigSchema = {
  $id: "s3-backup-config",
  type: "object",
  additionalProperties: false,
  required: ["name", "s3"],
  properties: {
    name: {
      type: "string",
      pattern: NAME,
      maxLength: 64,
      description:
        "The backup's name (the resource name): letters, digits, '.', '_', '-', no '--'. One lock and monthly state per name.",
    },
    host: {
      type: "string",
      pattern: HOST,
      maxLength: 253,
      description: "Host name used in object keys. Default: os.hostname().",
    },
    state_dir: {
      type: "string",
      pattern: "^/",
      description: "Where the monthly state and the lock live. Default: $HOME of the job user.",
    },
    compression: { enum: ["zstd", "gzip", "none"], default: "zstd" },
    s3: {
      type: "object",
      additionalProperties: false,
      // The job's keys are needed by `run` alone (runRequirements): an operator restoring on a new
      // machine, or printing the policy before the keys exist, has a config without them.
      required: ["bucket", "region"],
      properties: {
        bucket: { type: "string", minLength: 3, maxLength: 63 },
        region: { type: "string", minLength: 1 },
        endpoint: {
          type: "string",
          pattern: "^https?://",
          description: "For S3-compatible stores (MinIO, R2, Ceph...).",
        },
        force_path_style: { type: "boolean" },
        access_key_id: {
          type: "string",
          minLength: 1,
          description: "The job's own write-only key; required by run only.",
        },
        secret_access_key: {
          type: "string",
          minLength: 1,
          writeOnly: true,
          description: "Sensitive; required by run only.",
        },
        prefix: { type: "string", pattern: "^(?!/)", description: "Key prefix; a trailing / is added when missing." },
      },
    },
    retention: {
      type: "object",
      additionalProperties: false,
      properties: {
        daily_days: { type: "integer", minimum: 1, default: 7 },
        monthly_days: { type: "integer", minimum: 1, default: 365 },
      },
    },
    assets: {
      type: "array",
      items: { type: "string", pattern: "^/" },
      description: "Absolute paths backed up as tar streams (directories recursively, symlinks as links).",
    },
    metrics: {
      type: "object",
      additionalProperties: false,
      required: ["textfile_dir"],
      properties: {
        textfile_dir: {
          type: "string",
          pattern: "^/",
          description:
            "Where each run writes s3_backup_NAME.prom (temporary file, then rename): node_exporter's textfile directory, or a directory of the job's linked from it.",
        },
      },
    },
    healthcheck: {
      type: "string",
      pattern: "^https?://\\S+$",
      writeOnly: true,
      description: "Sensitive. Check-in URL: URL/start when a run begins, URL on success, URL/fail on failure.",
    },
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
        databases: {
          type: "array",
          items: { type: "string", minLength: 1, pattern: "^[^\\s]" },
          description: 'Names, LIKE patterns ("wp_%"), or "db table1 table2".',
        },
      },
    },
  },
} as const;

/** A config file as written (defaults not yet applied). */
export type BackupConfigFile = FromSchema<typeof backupConfigSchema>;

/** The secrets in a config, by JSON pointer: never echoed, logged or put in argv. */
export const SENSITIVE_PATHS = ["/s3/secret_access_key", "/healthcheck"] as const;
