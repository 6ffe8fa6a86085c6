// Loads and validates config.yml. Any problem is an InputError (exit 2) naming the field by its
// JSON pointer; values are never echoed, since some are secrets.
import { homedir, hostname } from "node:os";
import { parseDocument } from "yaml";
import { InputError } from "../engine/errors.js";
import { readInputFile } from "../engine/input/read.js";
import { textProblems } from "../engine/input/text.js";
import { validator } from "../engine/schema/ajv.js";
import { describeErrors } from "../engine/schema/describe.js";
import type { S3JobCredentials } from "../providers/s3/client.js";
import { backupConfigSchema, type Compression, type ValidConfigFile } from "../contract/config-schema.js";

export type { Compression };
export type LockMode = NonNullable<ValidConfigFile["retention"]["lock"]>;

/** A file asset and what a file changing under tar does to it. */
export type FileAsset = Required<Exclude<NonNullable<ValidConfigFile["assets"]>[number], string>>;

/** Seconds: the whole run, connecting to a server, and a stage moving no data. */
export type Timeouts = ValidConfigFile["timeouts"];

type S3 = ValidConfigFile["s3"];

/** A validated config with defaults applied and the prefix normalized ("" or ending in "/"). */
export interface BackupConfig {
  /** Where it was read from, to name it in messages. */
  source: string;
  name: string;
  host: string;
  state_dir: string;
  compression: Compression;
  s3: Pick<S3, "bucket" | "region"> & { prefix: string } & Omit<S3, "bucket" | "region" | "prefix">;
  retention: ValidConfigFile["retention"];
  assets: FileAsset[];
  timeouts: Timeouts;
  mysql?: ValidConfigFile["mysql"];
  metrics?: ValidConfigFile["metrics"];
  /** Sensitive: never in output. */
  healthcheck?: string;
}

/** Validates an already parsed config object; `source` names it in messages. */
export function parseConfig(raw: unknown, source: string): BackupConfig {
  const validate = validator("config.yml", () => backupConfigSchema);
  if (!validate(raw)) {
    // No value is quoted: any of them may be a secret typed into the wrong setting.
    const where = (pointer: string) => (pointer ? `${source}: ${pointer}` : source);
    throw new InputError(describeErrors(validate.errors!, raw, { where, mayQuote: () => false }));
  }
  // Every value lands in argv, object keys or a log line: none may hold a line break or a control character.
  const text = textProblems(raw);
  if (text.length) throw new InputError(text.map((t) => `${source}: ${t.path}: ${t.problem}`));
  const c = raw as ValidConfigFile;
  // A plain path is the object form with every default.
  const assets = (c.assets ?? []).map(
    (a): FileAsset => (typeof a === "string" ? { path: a, on_change: "fail" } : { on_change: "fail", ...a }),
  );
  const databases = c.mysql?.databases ?? [];
  const prefix = c.s3.prefix ?? "";
  return {
    source,
    name: c.name,
    host: c.host ?? hostname(),
    state_dir: c.state_dir ?? homedir(),
    compression: c.compression,
    s3: {
      bucket: c.s3.bucket,
      region: c.s3.region,
      endpoint: c.s3.endpoint,
      force_path_style: c.s3.force_path_style,
      access_key_id: c.s3.access_key_id,
      secret_access_key: c.s3.secret_access_key,
      prefix: prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`,
    },
    retention: c.retention,
    assets,
    timeouts: c.timeouts,
    ...(c.mysql ? { mysql: { defaults_file: c.mysql.defaults_file, databases } } : {}),
    ...(c.metrics ? { metrics: { textfile_dir: c.metrics.textfile_dir } } : {}),
    ...(c.healthcheck ? { healthcheck: c.healthcheck } : {}),
  };
}

/**
 * What only `run` needs: the job's own keys and something to back up (`selftest` needs the keys
 * alone). Restore, verify, policy, setup and lifecycle do without, so an operator on a
 * replacement machine needs neither. Their absence is bad input naming the field.
 */
export function runRequirements(cfg: BackupConfig, opts: { assetsNeeded?: boolean } = {}): S3JobCredentials {
  const { access_key_id, secret_access_key } = cfg.s3;
  const key = "is required by run and selftest (the job's own write-only key)";
  const problems = [
    ...(access_key_id ? [] : [`/s3/access_key_id: ${key}`]),
    ...(secret_access_key ? [] : [`/s3/secret_access_key: ${key}`]),
    ...((opts.assetsNeeded ?? true) && cfg.assets.length === 0 && !cfg.mysql?.databases.length
      ? ["/assets: nothing to back up: give /assets or /mysql/databases"]
      : []),
  ];
  if (problems.length > 0) throw new InputError(problems.map((p) => `${cfg.source}: ${p}`));
  return { access_key_id: access_key_id!, secret_access_key: secret_access_key! };
}

// converge writes a config.yml of a few hundred bytes; the limit also bounds the yaml parser's
// time on nesting, which grows fast with it (seconds at 100 kB of "[").
const MAX_CONFIG_BYTES = 64 * 1024;

/**
 * Reads, parses and validates a config file. Warns when it is readable by others. Read by
 * descriptor with the input limits rather than through the job's System: it is input, checked
 * before the run, not a fault point of the run.
 */
export function loadConfig(path: string, warn: (line: string) => void): BackupConfig {
  const { text, stat } = readInputFile(path, MAX_CONFIG_BYTES);
  if ((stat.mode & 0o004) !== 0) {
    warn(`s3-backup: warning: ${path} is world-readable and holds a secret key; chmod 600 it`);
  }
  return parseConfig(parseYaml(text, path), path);
}

/** The YAML document's value; InputError for anything but one plain, well-formed document. */
function parseYaml(text: string, path: string): unknown {
  try {
    // prettyErrors off: the pretty form quotes the offending line, which may hold the secret.
    // Duplicate keys are errors (uniqueKeys); an unknown tag such as !!binary is refused, not guessed at.
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) {
      throw new InputError(
        problems.map((e) => {
          // The position by offset: the line itself is never quoted.
          const before = text.slice(0, e.pos[0]);
          return `${path}:${before.split("\n").length}:${e.pos[0] - before.lastIndexOf("\n")} invalid YAML (${e.code})`;
        }),
      );
    }
    // toJS refuses (ReferenceError) aliases that would expand into gigabytes ("billion laughs").
    return doc.toJS();
  } catch (err) {
    if (err instanceof InputError) throw err;
    // The yaml parser recurses once per level of nesting: a deep enough document overflows the stack.
    if (err instanceof RangeError) throw new InputError([`${path}: invalid YAML: nested too deeply`]);
    // Anything else the parser throws is about the input too (e.g. an alias bomb); its message quotes none of it.
    throw new InputError([`${path}: invalid YAML: ${(err as Error).message.split("\n")[0]}`]);
  }
}
