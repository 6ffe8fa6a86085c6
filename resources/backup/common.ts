// What s3_file_backup and s3_mysql_backup share (the seed's "common functionality"): the
// properties, and the primitives both expand into around what each backs up.
import {
  BACKUP_NAME,
  COMPRESSION,
  HEALTHCHECK,
  HOST_NAME,
  METRICS,
  RETENTION,
  S3_KEY_DESCRIPTIONS,
  S3_LOCATION,
  TIMEOUTS,
} from "../../contract/config-fragments.js";
import type { BackupConfigFile } from "../../contract/config-schema.js";
import { PROJECT_ROOT, TEMPLATES_DIR } from "../../engine/paths.js";
import type { Action, Declaration } from "../../engine/resource.js";
import { accountName, homePath, secret, secretMatching } from "../../engine/schema/fragments.js";
import { cronKeyword, cronTimes } from "../../providers/cron/schema.js";
import type { PropsOf } from "../../engine/schema/types.js";
import { commandWord } from "../../providers/cron/prefix.js";
import { metricsPath } from "../../contract/names.js";
import { placesOf } from "../node_exporter_textfile.js";
import { hostname } from "node:os";
import { join, relative } from "node:path";

/** A backup's name: it lands in file names, object keys and the default user name. */
export const backupName = BACKUP_NAME;

export const commonProperties = {
  user: { ...accountName, description: "the system user that owns and runs the job; default backup_NAME" },
  groups: {
    type: "array",
    items: accountName,
    uniqueItems: true,
    description: "so the user can read what it backs up",
  },
  home: { ...homePath, description: "the user's home, holding config.yml and the script; default /var/lib/USER" },
  host: HOST_NAME,
  s3: {
    type: "object",
    properties: {
      ...S3_LOCATION,
      region: { ...S3_LOCATION.region, default: "us-east-1" },
      access_key_id: secret(S3_KEY_DESCRIPTIONS.access_key_id),
      secret_access_key: secret(S3_KEY_DESCRIPTIONS.secret_access_key),
    },
    required: ["bucket", "access_key_id", "secret_access_key"],
    additionalProperties: false,
  },
  cron: {
    type: "object",
    description: "when to run; absent or empty means no cron job (an earlier one is removed)",
    properties: cronTimes,
    additionalProperties: false,
  },
  mailto: { type: "string", pattern: "^[^\\s]*$", description: "where cron mails failures" },
  retention: RETENTION,
  compression: COMPRESSION,
  timeouts: TIMEOUTS,
  metrics: METRICS,
  healthcheck: secretMatching(HEALTHCHECK.description, HEALTHCHECK.pattern, HEALTHCHECK.title),
} as const;

/** The ajv keywords commonProperties use: a backup type lists them as its own. */
export const commonKeywords = [cronKeyword];

/** The common properties as a resource receives them. */
export type CommonProps = PropsOf<{
  type: "object";
  properties: typeof commonProperties;
  required: ["s3"];
  additionalProperties: false;
}>;

/** Where one backup's pieces live. */
export interface Layout {
  user: string;
  home: string;
  config: string;
  script: string;
}

export function layoutOf(name: string, p: CommonProps): Layout {
  const user = p.user ?? `backup_${name.replace(/[^a-z0-9_-]/gi, "_").toLowerCase()}`.slice(0, 32);
  const home = p.home ?? `/var/lib/${user}`;
  return { user, home, config: join(home, "config.yml"), script: join(home, "s3-backup.sh") };
}

/** What the job's user must read to run it: the launcher, the job's code and a dependency (a sample of node_modules). */
const JOB_FILES = ["bin/s3-backup.js", "dist/bundle/s3-backup.js", "node_modules/yaml/package.json"];

const JOB_ACCESS_HINT =
  `The job runs ${process.execPath} and the code in ${PROJECT_ROOT}, as the converge that wrote its script: ` +
  "install it where every user can read it (bash scripts/install.sh, into /usr/local/lib/s3-converge) and converge " +
  "with that converge, or let the user through the directory named";

/** What a backup kind adds: its section of config.yml and the primitives that serve it. */
export interface Specific {
  /** The kind's part of config.yml. */
  config: Pick<BackupConfigFile, "assets"> | Pick<BackupConfigFile, "mysql">;
  /** Primitives placed after config.yml (the MySQL account and .my.cnf). */
  extra: Declaration[];
}

/**
 * The primitives of one backup, in converge order: user, home, config.yml, the kind's extras,
 * the script, the cron entry. For remove, the same in reverse, so nothing is left half-owned.
 */
export function expandBackup(
  type: string,
  name: string,
  p: CommonProps,
  action: Action,
  specific: Specific,
): Declaration[] {
  const l = layoutOf(name, p);
  const owned = { owner: l.user, group: l.user };
  // The link node_exporter reads; the job writes through it into a directory of its own.
  const metrics = p.metrics && metricsPath(p.metrics.textfile_dir, name);
  const decl = (t: string, n: string, properties: Record<string, unknown>, a: Action = action): Declaration => ({
    type: t,
    name: n,
    action: a,
    properties,
  });
  const config: BackupConfigFile = {
    name,
    // Written out, so the series of keys does not split if the machine is renamed later, and an
    // operator restoring elsewhere can read which host to ask for.
    host: p.host ?? hostname(),
    state_dir: l.home,
    compression: p.compression,
    s3: p.s3,
    retention: p.retention,
    // Only when given, so a config.yml written before the option existed stays as it was.
    ...(p.timeouts ? { timeouts: p.timeouts } : {}),
    ...specific.config,
    ...(metrics ? { metrics: { textfile_dir: placesOf(metrics).dir } } : {}),
    ...(p.healthcheck !== undefined ? { healthcheck: p.healthcheck } : {}),
  };
  const hasCron = p.cron !== undefined && Object.keys(p.cron).length > 0;
  const steps = [
    decl("system_user", l.user, {
      system: true,
      home: l.home,
      // The directory below makes the home, already owned and 0700: useradd would make it 0755
      // first, and why-run could not foresee that.
      manage_home: false,
      shell: "/usr/sbin/nologin",
      ...(p.groups ? { groups: p.groups } : {}),
    }),
    // recursive: parents are made on create; on remove the contents go too, but only if the
    // directory is the backup user's (the directory resource refuses otherwise).
    decl("directory", l.home, { ...owned, mode: "0700", recursive: true, adopt: false }),
    ...(metrics ? [decl("node_exporter_textfile", metrics, { writer: l.user })] : []),
    generatedFile(l, action, {
      path: l.config,
      template: "s3-backup-config.yml.hbs",
      variables: { resource: `${type}[${name}]`, config },
      mode: "0600",
      sensitive: true,
    }),
    ...specific.extra,
    generatedFile(l, action, {
      path: l.script,
      template: "s3-backup.sh.hbs",
      variables: {
        resource: `${type}[${name}]`,
        node: process.execPath,
        bin: join(PROJECT_ROOT, "bin", "s3-backup.js"),
        config: l.config,
      },
      mode: "0700",
    }),
    // Cron would run the script as its user, which must reach node and this code: checked now,
    // rather than found out by a job that never runs.
    ...(action === "create"
      ? [
          decl("access_check", `${type} ${name}`, {
            user: l.user,
            ...(p.groups ? { groups: p.groups } : {}),
            execute: [process.execPath],
            read: JOB_FILES.map((f) => join(PROJECT_ROOT, f)),
            hint: JOB_ACCESS_HINT,
          }),
        ]
      : []),
    decl(
      "cron_entry",
      `${type} ${name}`,
      {
        user: l.user,
        ...p.cron,
        // One shell word that survives cron's "%" handling: a home may hold blanks, "%", "$(...)".
        command: commandWord(l.script),
        ...(p.mailto !== undefined ? { mailto: p.mailto } : {}),
      },
      hasCron ? action : "remove",
    ),
  ];
  return action === "remove" ? steps.reverse() : steps;
}

export interface GeneratedFile {
  path: string;
  /** A template of the engine's templates/ directory. */
  template: string;
  variables: Record<string, unknown>;
  mode: string;
  /** Never show its content or diff (it holds a secret). */
  sensitive?: boolean;
}

/**
 * A file of the backup user's, rendered from the run-list alone. No earlier copies are kept: the
 * run-list can make it again, and a copy of config.yml or .my.cnf would be one more copy of a secret.
 */
export function generatedFile(l: Layout, action: Action, file: GeneratedFile): Declaration {
  const { path, template, variables, mode, sensitive = false } = file;
  return {
    type: "template_file",
    name: path,
    action,
    // The engine's own template, by absolute path: no file next to a run-list or recipe can stand in for it.
    properties: {
      source: join(TEMPLATES_DIR, template),
      variables,
      owner: l.user,
      group: l.user,
      mode,
      sensitive,
      backup: 0,
    },
  };
}

/** Problems with where the backup's home is: it holds secrets, so it must stay out of what is backed up. */
export function homeProblems(name: string, p: CommonProps, assets: readonly string[]): string[] {
  const { home } = layoutOf(name, p);
  // Compared as normalized paths, so "/", "/srv/./site" and "/srv//site" are seen for what they are.
  const inside = (a: string, b: string) => {
    const up = relative(b, a);
    return up !== ".." && !up.startsWith("../");
  };
  const clash = assets.find((a) => inside(home, a) || inside(a, home));
  return clash
    ? [
        `properties/home: ${home} overlaps the asset ${clash}; the home holds config.yml with the S3 secret, keep them apart`,
      ]
    : [];
}
