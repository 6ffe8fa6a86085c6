// The job's config file (config.yml), as a JSON Schema: the single source for validation, the
// TypeScript type, and what the converge template must produce. Keep it flat and documented.
import type { FromSchema } from "json-schema-to-ts";

const HOST = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";

/**
 * A key prefix, which IAM policies and lifecycle rules must read literally: path segments of
 * letters, digits, "_", "-" and "." (not first), each ending in "/". IAM reads "*" and "?" in a
 * resource ARN as wildcards and "${...}" as a policy variable, so "*" would grant every other
 * prefix of the bucket; empty, "." and ".." segments are normalized away by some clients and tools.
 * Shared with the backup resources, which write it into config.yml.
 */
export const S3_PREFIX = {
  type: "string",
  maxLength: 256,
  pattern: "^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/|$))*$",
  title:
    'a key prefix of segments of letters, digits, _, - and . (not first), separated by / (no "*", "?" or "$", which IAM reads as wildcards and variables)',
  description: 'Key prefix, e.g. "backups/web1/": segments of letters, digits, _, - and . (not first), separated by /.',
} as const;

// A database or table name: letters, digits, _, $ and - (not first, so that no name can read as
// an option, even to a program that takes options after its arguments), at most 64 (MySQL's limit).
const IDENTIFIER = "[\\p{L}\\p{N}_$][\\p{L}\\p{N}_$-]{0,63}";

/** A database entry: a name, "db table1 table2", or a % pattern ("wp_%"); shared with s3_mysql_backup. */
export const DATABASE_ENTRY = {
  type: "string",
  pattern: `^(?:${IDENTIFIER}(?: ${IDENTIFIER})*|[\\p{L}\\p{N}_$%][\\p{L}\\p{N}_$%-]{0,63})$`,
  title: 'a database name, a % pattern or "db table1 table2": letters, digits, _, $ and - (not first), up to 64 each',
  description:
    'A database name, a % pattern ("wp_%"), or "db table1 table2": names of letters, digits, _, $ and - (not first), up to 64 each.',
} as const;
// No "--" in a backup's name: it separates NAME from RANDOM in manifest keys, so "shop" would
// otherwise read as a prefix of "shop--old"'s manifests.
const NAME = "^(?!.*--)[A-Za-z0-9][A-Za-z0-9_.-]*$";

const ASSET_PATH = { type: "string", pattern: "^/" } as const;

/** What a file that changes while tar reads it does to its asset. */
// No "default": ajv fills in none inside anyOf (and strict mode refuses one there); backup/config.ts
// applies "fail" itself.
export const ON_CHANGE = {
  enum: ["fail", "warn"],
  description:
    'A file changed while it was read (tar: "file changed as we read it"): "fail" the asset (the default: no object), or ' +
    '"warn": keep the object, name the file in the manifest and on stderr (its copy may be torn).',
} as const;

/** Time limits of a run, in seconds; shared with the backup resources' `timeouts` property. */
export const TIMEOUTS = {
  type: "object",
  additionalProperties: false,
  properties: {
    run: {
      type: "integer",
      minimum: 1,
      default: 43200,
      description:
        "Seconds a whole run may take (default 12 h); then it stops, aborts its uploads and exits 1 naming the stage that stalled.",
    },
    connect: {
      type: "integer",
      minimum: 1,
      default: 10,
      description: "Seconds to connect to S3 or MySQL (default 10).",
    },
    idle: {
      type: "integer",
      minimum: 1,
      default: 120,
      description:
        "Seconds an S3 request, the producer (tar, mysqldump) or the compressor may move no data before it counts as stalled (default 120).",
    },
  },
} as const;

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
        prefix: S3_PREFIX,
      },
    },
    retention: {
      type: "object",
      additionalProperties: false,
      properties: {
        daily_days: { type: "integer", minimum: 1, default: 7 },
        monthly_days: { type: "integer", minimum: 1, default: 365 },
        lock: {
          enum: ["governance", "compliance"],
          description:
            "S3 Object Lock mode: every object is retained until its class's expiry (the bucket must have Object Lock enabled).",
        },
      },
    },
    assets: {
      type: "array",
      items: {
        anyOf: [
          ASSET_PATH,
          {
            type: "object",
            additionalProperties: false,
            required: ["path"],
            properties: { path: ASSET_PATH, on_change: ON_CHANGE },
          },
        ],
      },
      description:
        "Absolute paths backed up as tar streams (directories recursively, symlinks as links), or {path, on_change}.",
    },
    // default {}: ajv then fills in each limit's own default.
    timeouts: { ...TIMEOUTS, default: {} },
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
        databases: { type: "array", items: DATABASE_ENTRY },
      },
    },
  },
} as const;

/** A config file as written (defaults not yet applied). */
export type BackupConfigFile = FromSchema<typeof backupConfigSchema>;
