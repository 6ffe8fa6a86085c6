// What each `s3-backup` command accepts and what its --help says; backup/cli.ts acts on it.
// To add a command, add an entry here and a case in cli.ts.
import { exitCodesText, type CommandSpec, type Flag } from "../engine/flags.js";

const config: Flag = {
  name: "config",
  value: "FILE",
  help: "the backup's config.yml (converge writes it in the backup user's home)",
};
const date: Flag = { name: "date", value: "YYYY-MM-DD", help: "that day's run instead of the newest" };
const host: Flag = {
  name: "host",
  value: "HOST",
  help: "read the backups another machine made (default: the config's host)",
};
const defaultsFile: Flag = {
  name: "mysql-defaults-file",
  value: "FILE",
  help: "the MySQL login for a database (default: the server of the job's .my.cnf, as yourself)",
};

const principal: Flag = {
  name: "principal",
  value: "ARN",
  help: "the IAM user or role holding the job's key, e.g. arn:aws:iam::123456789012:user/backup-web1",
};

const OPERATOR =
  "Uses the operator's credentials from the AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,\n" +
  "AWS_PROFILE, an instance role), never the job's write-only key from the config.";

const EXIT_CODES: CommandSpec["exitCodes"] = [
  [0, "success"],
  [1, "failed at run time (the reason is on stderr)"],
  [2, "bad input: command, flag or config"],
];

export interface BackupCommand extends CommandSpec {
  /** One line for the command list of `s3-backup --help`. */
  brief: string;
}

export const COMMANDS: Record<string, BackupCommand> = {
  run: {
    brief: "back up every asset and database in the config (what cron runs)",
    usage: "s3-backup run --config FILE",
    summary:
      "Streams each asset (tar) and database (mysqldump) through compression into S3 with the job's own\n" +
      "write-only key, then writes the run's manifest. A failed asset is aborted, the others go on.",
    flags: [config],
    exitCodes: EXIT_CODES,
    examples: ["s3-backup run --config /var/lib/backup_shop/config.yml"],
  },
  policy: {
    brief: "print the least-privilege IAM policy for the job's key",
    usage: "s3-backup policy --config FILE [--principal ARN]",
    summary:
      "Prints the IAM policy to attach to the job's key: put (and abort) under the backup's prefix, nothing else.\n" +
      "With --principal, the bucket-policy statements that hold that user to the same, whatever its own policy says.",
    flags: [config, principal],
    exitCodes: EXIT_CODES,
    examples: [
      "s3-backup policy --config /var/lib/backup_shop/config.yml > policy.json",
      "s3-backup policy --config /var/lib/backup_shop/config.yml --principal arn:aws:iam::123456789012:user/backup-web1",
    ],
  },
  setup: {
    brief: "check the bucket's protections and say what would change; --apply changes it",
    usage: "s3-backup setup --config FILE [--principal ARN] [--apply]",
    summary:
      "Checks the bucket: policy, lifecycle rules, public-access block, versioning, Object Lock; says what\n" +
      "it would change to keep this backup safe from its own host, and with --apply changes it.",
    flags: [config, principal, { name: "apply", help: "make the changes (operator credentials)" }],
    notes: [OPERATOR],
    exitCodes: EXIT_CODES,
    examples: [
      "s3-backup setup --config /var/lib/backup_shop/config.yml --principal arn:aws:iam::123456789012:user/backup-web1 --apply",
    ],
  },
  selftest: {
    brief: "with the job's own key, try what a compromised host would; only uploads may work",
    usage: "s3-backup selftest --config FILE",
    summary:
      "Uses the job's key from the config to try to read, list, overwrite, delete, make public and\n" +
      "reconfigure, and shows that only uploads work. Exit 1 names each thing the key could do but should not.",
    flags: [config],
    exitCodes: EXIT_CODES,
    examples: ["s3-backup selftest --config /var/lib/backup_shop/config.yml"],
  },
  lifecycle: {
    brief: "print the bucket lifecycle rules; --apply puts them",
    usage: "s3-backup lifecycle --config FILE [--apply]",
    summary: "Prints the rules that expire daily/ and monthly/ after the config's retention.",
    flags: [config, { name: "apply", help: "put them on the bucket, keeping other rules (operator credentials)" }],
    notes: [`With --apply: ${OPERATOR}`],
    exitCodes: EXIT_CODES,
    examples: ["s3-backup lifecycle --config /var/lib/backup_shop/config.yml --apply"],
  },
  restore: {
    brief: "restore one asset or database from the newest (or that day's) run",
    usage:
      "s3-backup restore --config FILE --name NAME [--date YYYY-MM-DD] [--host HOST] (--to DIR | --into-database DB)",
    summary:
      "Restores the newest completed backup of one asset or database, checked against its manifest.\n" +
      "NAME is the asset's path (/var/www/site), its key name (var_www_site) or the database.",
    flags: [
      config,
      { name: "name", value: "NAME", help: "what to restore" },
      date,
      host,
      { name: "to", value: "DIR", help: "an empty directory to unpack an archive into (tar -C; / restores in place)" },
      { name: "into-database", value: "DB", help: "a database that does not exist yet, to load a dump into" },
      defaultsFile,
    ],
    notes: [OPERATOR],
    exitCodes: [...EXIT_CODES, [130, "interrupted (Ctrl-C, or 143 for SIGTERM): what was restored is removed"]],
    examples: [
      "s3-backup restore --config /var/lib/backup_shop/config.yml --name shop --into-database shop_restored",
      "s3-backup restore --config /var/lib/backup_site/config.yml --name /var/www/site --to /srv/restore",
    ],
  },
  verify: {
    brief: "a restore drill: restore everything of a run to temporary places and compare",
    usage: "s3-backup verify --config FILE [--date YYYY-MM-DD] [--host HOST] [--work-dir DIR]",
    summary:
      "Restores every asset and database of the newest (or that day's) run to temporary places,\n" +
      "compares them with the live files or CHECKSUM TABLE, and cleans up.",
    flags: [
      config,
      date,
      host,
      { name: "work-dir", value: "DIR", help: "where archives are unpacked (default the temp dir)" },
      defaultsFile,
    ],
    notes: [OPERATOR],
    exitCodes: EXIT_CODES,
    examples: ["s3-backup verify --config /var/lib/backup_shop/config.yml"],
  },
  status: {
    brief: "one line per host and backup: fresh, stale, failed or suspect (a monitoring check)",
    usage:
      "s3-backup status (--config FILE | --bucket B [--prefix P] [--region R] [--endpoint URL]) [--host H] [--name N] [--max-age DURATION]... [--format text|json]",
    summary:
      "Reads the run manifests under the bucket and prefix (never the data) and prints, for each host and\n" +
      "backup, its last complete run as S3 received it, age, objects, size and what failed in the last run.\n" +
      "Runs are trusted as restore trusts them: a manifest dated in the future is flagged, not believed.",
    flags: [
      { ...config, help: "take the bucket, prefix and endpoint from this config.yml" },
      { name: "bucket", value: "B", help: "the bucket, instead of --config" },
      { name: "prefix", value: "P", help: "with --bucket: the key prefix (default none)" },
      { name: "region", value: "R", help: "with --bucket: the region (default AWS_REGION, else us-east-1)" },
      { name: "endpoint", value: "URL", help: "with --bucket: an S3-compatible endpoint (addressed by path)" },
      { name: "host", value: "HOST", help: "only this host's backups" },
      { name: "name", value: "NAME", help: "only the backups of this name" },
      {
        name: "max-age",
        value: "DURATION",
        multiple: true,
        help: "stale when the last complete run is older (26h, 90m, 8d); NAME=D or HOST/NAME=D for one backup",
      },
      { name: "format", value: "text|json", help: "text (monitoring-plugin style, default) or one JSON document" },
    ],
    notes: [OPERATOR, "Looks at runs keyed in the last 35 days (more when --max-age asks for it)."],
    exitCodes: [
      [0, "OK: every backup fresh and complete"],
      [2, "CRITICAL: a backup is stale, failed or has a suspect manifest (also: bad flags)"],
      [3, "UNKNOWN: the bucket cannot be read, or holds no runs at all"],
    ],
    examples: [
      "s3-backup status --bucket example-backups --prefix backups/ --max-age 26h --max-age archive=8d",
      "s3-backup status --config /var/lib/backup_shop/config.yml --format json",
    ],
  },
};

/** `s3-backup --help`: the commands, and where to read more. */
export function overview(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return (
    [
      "usage: s3-backup COMMAND --config FILE [flags]",
      "The backup job that cron runs, and the operator's tools around it.",
      ["commands:", ...names.map((n) => `  ${n.padEnd(width)}${COMMANDS[n].brief}`)].join("\n"),
      "s3-backup COMMAND --help explains a command's flags. --version prints the version.",
      exitCodesText(EXIT_CODES),
      [
        "example:",
        "  s3-backup restore --config /var/lib/backup_shop/config.yml --name shop --into-database shop_restored",
      ].join("\n"),
    ].join("\n\n") + "\n"
  );
}
