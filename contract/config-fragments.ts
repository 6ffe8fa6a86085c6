// The pieces of config.yml's schema that the backup resources take as properties too: written
// once, so what converge accepts and what the job then reads cannot drift apart.
import { absolutePath } from "../engine/schema/fragments.js";

/** A backup's name: it lands in file names, object keys, the lock and the default user name. */
export const BACKUP_NAME = {
  type: "string",
  // "--" separates NAME from RANDOM in object keys, so "shop" would otherwise read as a prefix of "shop--old"'s keys.
  pattern: "^(?!.*--)[A-Za-z0-9][A-Za-z0-9_.-]*$",
  maxLength: 64,
  title: 'a backup name: up to 64 letters, digits, _, . and -, without "--"',
  description:
    "The backup's name (the resource name): letters, digits, '.', '_', '-', no '--'. One lock and monthly state per name.",
} as const;

export const HOST_NAME = {
  type: "string",
  pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
  maxLength: 253,
  title: "a host name of letters, digits, _, . and -",
  description: "Host name used in object keys. Default: the machine's (os.hostname()).",
} as const;

/**
 * A key prefix, which IAM policies and lifecycle rules must read literally: path segments of
 * letters, digits, "_", "-" and "." (not first), each ending in "/". IAM reads "*" and "?" in a
 * resource ARN as wildcards and "${...}" as a policy variable, so "*" would grant every other
 * prefix of the bucket; empty, "." and ".." segments are normalized away by some clients and tools.
 */
export const S3_PREFIX = {
  type: "string",
  maxLength: 256,
  pattern: "^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/|$))*$",
  title:
    'a key prefix of segments of letters, digits, _, - and . (not first), separated by / (no "*", "?" or "$", which IAM reads as wildcards and variables)',
  description: 'Key prefix, e.g. "backups/web1/": segments of letters, digits, _, - and . (not first), separated by /.',
} as const;

/** Where the objects go, without the job's keys (each side says how it takes those). */
export const S3_LOCATION = {
  bucket: {
    type: "string",
    pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
    title: "an S3 bucket name: 3-63 lower-case letters, digits, dots and hyphens",
  },
  region: { type: "string", minLength: 1 },
  endpoint: {
    type: "string",
    pattern: "^https?://",
    description: "For S3-compatible stores (MinIO, R2, Ceph...).",
  },
  force_path_style: { type: "boolean" },
  prefix: S3_PREFIX,
} as const;

/** The job's own access key pair, as the job reads it (the resources take secret references). */
export const S3_KEY_DESCRIPTIONS = {
  access_key_id: "the job's access key id (write-only credentials: see `s3-backup policy`); required by run only",
  secret_access_key: "the job's secret access key (sensitive); required by run only",
} as const;

export const RETENTION = {
  type: "object",
  additionalProperties: false,
  properties: {
    daily_days: { type: "integer", minimum: 1, default: 7 },
    monthly_days: { type: "integer", minimum: 1, default: 365 },
    lock: {
      enum: ["governance", "compliance"],
      description:
        "S3 Object Lock mode: every object is retained until its class's expiry (the bucket must have Object Lock enabled; see `s3-backup setup`).",
    },
  },
  // {}: ajv then fills in each number's own default.
  default: {},
} as const;

export const COMPRESSION = { enum: ["zstd", "gzip", "none"], default: "zstd" } as const;

/** Time limits of a run, in seconds. */
export const TIMEOUTS = {
  type: "object",
  additionalProperties: false,
  description: "time limits of a run in seconds: run (whole run), connect, idle",
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

/** What a file that changes while tar reads it does to its asset. */
// No "default": ajv fills in none inside anyOf (and strict mode refuses one there); backup/config.ts
// applies "fail" itself.
export const ON_CHANGE = {
  enum: ["fail", "warn"],
  description:
    'A file changed while it was read (tar: "file changed as we read it"): "fail" the asset (the default: no object), or ' +
    '"warn": keep the object, name the file in the manifest and on stderr (its copy may be torn).',
} as const;

/** One file asset: a path, or {path, on_change}. */
export const ASSET = {
  anyOf: [
    absolutePath,
    {
      type: "object",
      properties: { path: absolutePath, on_change: ON_CHANGE },
      required: ["path"],
      additionalProperties: false,
    },
  ],
} as const;

// A database or table name: letters, digits, _, $ and - (not first, so that no name can read as
// an option, even to a program that takes options after its arguments), at most 64 (MySQL's limit).
const IDENTIFIER = "[\\p{L}\\p{N}_$][\\p{L}\\p{N}_$-]{0,63}";

/** A database entry: a name, "db table1 table2", or a % pattern ("wp_%"). */
export const DATABASE_ENTRY = {
  type: "string",
  pattern: `^(?:${IDENTIFIER}(?: ${IDENTIFIER})*|[\\p{L}\\p{N}_$%][\\p{L}\\p{N}_$%-]{0,63})$`,
  title: 'a database name, a % pattern or "db table1 table2": letters, digits, _, $ and - (not first), up to 64 each',
  description:
    'A database name, a % pattern ("wp_%"), or "db table1 table2": names of letters, digits, _, $ and - (not first), up to 64 each.',
} as const;

export const METRICS = {
  type: "object",
  description: "Prometheus metrics of every run, for node_exporter's textfile collector",
  properties: {
    textfile_dir: {
      ...absolutePath,
      description:
        "Where each run writes s3_backup_NAME.prom (temporary file, then rename): node_exporter's textfile directory (Debian: /var/lib/prometheus/node-exporter), or a directory of the job's linked from it.",
    },
  },
  required: ["textfile_dir"],
  additionalProperties: false,
} as const;

/** The check-in URL (healthchecks.io protocol); sensitive, since the URL alone lets anyone check in. */
export const HEALTHCHECK = {
  pattern: "^https?://\\S+$",
  title: "an http(s) URL",
  description: "Sensitive. Check-in URL: URL/start when a run begins, URL on success, URL/fail on failure.",
} as const;
