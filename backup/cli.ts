// The `s3-backup` command: flag parsing and dispatch. Exit codes come from engine/errors.ts.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT, exitCodeFor, InputError } from "../engine/errors.js";
import { jobS3Client, operatorS3Client } from "../providers/s3/client.js";
import { describeS3Error } from "../providers/s3/errors.js";
import { loadConfig, runRequirements } from "./config.js";
import { applyLifecycle, lifecycleRules } from "./lifecycle.js";
import { jobPolicy, policyNotes } from "./policy.js";
import { restoreCommand } from "./restore.js";
import { runBackup } from "./run.js";
import { selftestCommand } from "./selftest.js";
import { setupCommand } from "./setup.js";
import { verifyCommand } from "./verify.js";

export const USAGE = `usage: s3-backup <command> --config CONFIG.yml [options]

commands:
  run        back up every asset and database in the config (what cron runs)
  policy     [--principal ARN]
             print the least-privilege IAM policy for the job's credentials, or with
             --principal the bucket-policy statements for that user
  lifecycle  print the bucket lifecycle rules; --apply puts them (operator credentials)
  setup      [--principal ARN] [--apply]
             check the bucket (policy, lifecycle, public-access block, versioning,
             Object Lock) and say what it would change; --apply changes it (operator credentials)
  selftest   with the job's own key: try what a compromised host would (read, list,
             overwrite, delete, make public, reconfigure) and show that only uploads work
  restore    --name NAME [--date YYYY-MM-DD] [--host HOST] (--to DIR | --into-database DB) [--mysql-defaults-file FILE]
             restore the newest (or that day's) backup of one asset or database; NAME is the
             asset's path (/var/www/site), its key name (var_www_site) or the database
  verify     [--date YYYY-MM-DD] [--host HOST] [--work-dir DIR] [--mysql-defaults-file FILE]
             restore drill of the newest (or that day's) run: restore everything to temp
             places (archives under DIR) and compare

--host reads the backups another machine made (default: the config's host).

restore, verify, setup and lifecycle --apply use the operator's credentials from the AWS chain
(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance role), never the job's.
exit codes: 0 success, 1 failed at run time, 2 bad input`;

const OPTIONS: Record<string, ParseArgsConfig["options"]> = {
  run: { config: { type: "string" } },
  policy: { config: { type: "string" }, principal: { type: "string" } },
  setup: { config: { type: "string" }, principal: { type: "string" }, apply: { type: "boolean" } },
  selftest: { config: { type: "string" } },
  lifecycle: { config: { type: "string" }, apply: { type: "boolean" } },
  restore: {
    config: { type: "string" },
    name: { type: "string" },
    date: { type: "string" },
    host: { type: "string" },
    to: { type: "string" },
    "into-database": { type: "string" },
    "mysql-defaults-file": { type: "string" },
  },
  verify: {
    config: { type: "string" },
    date: { type: "string" },
    host: { type: "string" },
    "work-dir": { type: "string" },
    "mysql-defaults-file": { type: "string" },
  },
};

// A bad command or flag: the only error worth the usage text. Later ones (config, asset names)
// name their field, and cron mails whatever is printed, so they stay one line each.
class UsageError extends InputError {}

type Flags = Record<string, string | boolean | undefined>;

function parse(command: string, argv: string[]): Flags {
  let values: Flags;
  try {
    values = parseArgs({ args: argv, options: OPTIONS[command], strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError([`${command}: ${(err as Error).message}`]);
  }
  const problem = flagProblem(command, values);
  if (problem) throw new UsageError([`${command}: ${problem}`]);
  return values;
}

/** What is wrong with a command's flags taken together, checked before the config is read. */
function flagProblem(command: string, v: Flags): string | undefined {
  if (typeof v.config !== "string") return "--config CONFIG.yml is required";
  if (v.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v.date as string)) return "--date must be YYYY-MM-DD";
  if (v.principal !== undefined && !/^arn:[a-z-]+:iam::\d*:[\w+=,.@/-]+$/.test(v.principal as string)) {
    return "--principal must be an IAM ARN, e.g. arn:aws:iam::123456789012:user/backup-web1";
  }
  if (command !== "restore") return undefined;
  if (!v.name) return "--name NAME is required";
  if ((v.to === undefined) === (v["into-database"] === undefined))
    return "give exactly one of --to DIR or --into-database DB";
  return undefined;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  try {
    if (!command || !(command in OPTIONS)) {
      throw new UsageError([command ? `unknown command "${command}"` : "no command given"]);
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const flags = parse(command, rest);
    const cfg = loadConfig(flags.config as string);
    const str = (flag: string) => flags[flag] as string | undefined;
    switch (command) {
      case "run":
        return await runBackup(cfg);
      case "policy":
        process.stdout.write(`${JSON.stringify(jobPolicy(cfg, { principal: str("principal") }), null, 2)}\n`);
        for (const note of policyNotes(cfg, str("principal")))
          process.stderr.write(`s3-backup policy: note: ${note}\n`);
        return EXIT.ok;
      case "setup":
        return await setupCommand(operatorS3Client(cfg.s3), cfg, { apply: !!flags.apply, principal: str("principal") });
      case "selftest":
        return await selftestCommand(jobS3Client(cfg.s3, runRequirements(cfg, { assetsNeeded: false })), cfg);
      case "lifecycle": {
        if (!flags.apply) {
          process.stdout.write(`${JSON.stringify({ Rules: lifecycleRules(cfg) }, null, 2)}\n`);
          return EXIT.ok;
        }
        const written = await applyLifecycle(operatorS3Client(cfg.s3), cfg);
        process.stdout.write(`${JSON.stringify(written, null, 2)}\n`);
        process.stdout.write(`s3-backup ${cfg.name}: lifecycle rules applied to bucket ${cfg.s3.bucket}\n`);
        return EXIT.ok;
      }
      case "restore":
        return await restoreCommand(cfg, {
          name: str("name")!,
          date: str("date"),
          host: str("host"),
          to: str("to"),
          intoDatabase: str("into-database"),
          mysqlDefaultsFile: str("mysql-defaults-file"),
        });
      default:
        return await verifyCommand(cfg, {
          host: str("host"),
          date: str("date"),
          workDir: str("work-dir"),
          mysqlDefaultsFile: str("mysql-defaults-file"),
        });
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`s3-backup: ${err.message}\n\n${USAGE}\n`);
    } else if (err instanceof InputError) {
      process.stderr.write(`s3-backup: ${err.message}\n`);
    } else if (
      (err as { $metadata?: unknown }).$metadata ||
      (err as { name?: string }).name === "CredentialsProviderError"
    ) {
      process.stderr.write(`s3-backup: ${describeS3Error(err).message}\n`);
    } else {
      process.stderr.write(`s3-backup: ${(err as Error).message}\n`);
    }
    return exitCodeFor(err);
  }
}
