// Loads and validates config.yml. Any problem is an InputError (exit 2) naming the field by its
// JSON pointer; values are never echoed, since some are secrets.
import { Ajv, type ErrorObject } from "ajv";
import { readFileSync, statSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { parseDocument } from "yaml";
import { InputError } from "../engine/errors.js";
import type { S3JobCredentials } from "../providers/s3/client.js";
import { backupConfigSchema, type BackupConfigFile } from "./config-schema.js";

export type Compression = "zstd" | "gzip" | "none";

/** A validated config with defaults applied and the prefix normalized ("" or ending in "/"). */
export interface BackupConfig {
  /** Where it was read from, to name it in messages. */
  source: string;
  name: string;
  host: string;
  state_dir: string;
  compression: Compression;
  s3: Required<Pick<BackupConfigFile["s3"], "bucket" | "region" | "prefix">> &
    Pick<BackupConfigFile["s3"], "endpoint" | "force_path_style" | "access_key_id" | "secret_access_key">;
  retention: { daily_days: number; monthly_days: number };
  assets: string[];
  mysql?: { defaults_file: string; databases: string[] };
  metrics?: { textfile_dir: string };
  /** Sensitive: never in output. */
  healthcheck?: string;
}

// verbose: a pattern error can then quote the setting's description instead of only the regex.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
const validate = ajv.compile(backupConfigSchema);

function describe(e: ErrorObject): string {
  const at = e.instancePath || "/";
  switch (e.keyword) {
    case "required":
      return `${at === "/" ? "" : at}/${e.params.missingProperty}: is required`;
    case "additionalProperties":
      return `${at === "/" ? "" : at}/${e.params.additionalProperty}: is not a known setting`;
    case "enum":
      return `${at}: must be one of ${(e.params.allowedValues as string[]).join(", ")}`;
    case "pattern": {
      const about = (e.parentSchema as { description?: string } | undefined)?.description;
      return `${at}: ${e.message}${about ? ` (${about})` : ""}`;
    }
    default:
      return `${at}: ${e.message}`;
  }
}

/** Validates an already parsed config object; `source` names it in messages. */
export function parseConfig(raw: unknown, source: string): BackupConfig {
  if (!validate(raw)) {
    throw new InputError((validate.errors ?? []).map((e) => `${source}: ${describe(e)}`));
  }
  const c = raw as BackupConfigFile;
  const assets = c.assets ?? [];
  const databases = c.mysql?.databases ?? [];
  const prefix = c.s3.prefix ?? "";
  return {
    source,
    name: c.name,
    host: c.host ?? hostname(),
    state_dir: c.state_dir ?? homedir(),
    compression: (c.compression ?? "zstd") as Compression,
    s3: {
      bucket: c.s3.bucket,
      region: c.s3.region,
      endpoint: c.s3.endpoint,
      force_path_style: c.s3.force_path_style,
      access_key_id: c.s3.access_key_id,
      secret_access_key: c.s3.secret_access_key,
      prefix: prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`,
    },
    retention: { daily_days: c.retention?.daily_days ?? 7, monthly_days: c.retention?.monthly_days ?? 365 },
    assets,
    ...(c.mysql ? { mysql: { defaults_file: c.mysql.defaults_file, databases } } : {}),
    ...(c.metrics ? { metrics: { textfile_dir: c.metrics.textfile_dir } } : {}),
    ...(c.healthcheck ? { healthcheck: c.healthcheck } : {}),
  };
}

/**
 * What only `run` needs: the job's own keys and something to back up. Restore, verify, policy
 * and lifecycle do without, so an operator on a replacement machine needs neither. Their absence
 * is bad input naming the field.
 */
export function runRequirements(cfg: BackupConfig): S3JobCredentials {
  const { access_key_id, secret_access_key } = cfg.s3;
  const key = "is required by run (the job's own write-only key)";
  const problems = [
    ...(access_key_id ? [] : [`/s3/access_key_id: ${key}`]),
    ...(secret_access_key ? [] : [`/s3/secret_access_key: ${key}`]),
    ...(cfg.assets.length === 0 && !cfg.mysql?.databases.length
      ? ["/assets: nothing to back up: give /assets or /mysql/databases"]
      : []),
  ];
  if (problems.length > 0) throw new InputError(problems.map((p) => `${cfg.source}: ${p}`));
  return { access_key_id: access_key_id!, secret_access_key: secret_access_key! };
}

/** Reads, parses and validates a config file. Warns (stderr) when it is readable by others. */
export function loadConfig(path: string): BackupConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
    if ((statSync(path).mode & 0o004) !== 0) {
      process.stderr.write(`s3-backup: warning: ${path} is world-readable and holds a secret key; chmod 600 it\n`);
    }
  } catch (err) {
    throw new InputError([`${path}: cannot read config: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  // prettyErrors off: the pretty form quotes the offending line, which may hold the secret.
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new InputError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${path}:${pos ? `${pos.line}:${pos.col}` : ""} invalid YAML (${e.code})`;
      }),
    );
  }
  return parseConfig(doc.toJS(), path);
}
