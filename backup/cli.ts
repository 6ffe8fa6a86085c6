// The `s3-backup` command: flag parsing and dispatch. Exit codes come from engine/errors.ts.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT, exitCodeFor, InputError } from "../engine/errors.js";
import { operatorS3Client } from "../providers/s3/client.js";
import { describeS3Error } from "../providers/s3/errors.js";
import { loadConfig } from "./config.js";
import { applyLifecycle, lifecycleRules } from "./lifecycle.js";
import { jobPolicy } from "./policy.js";
import { restoreCommand } from "./restore.js";
import { runBackup } from "./run.js";
import { verifyCommand } from "./verify.js";

export const USAGE = `usage: s3-backup <command> --config CONFIG.yml [options]

commands:
  run        back up every asset and database in the config (what cron runs)
  policy     print the least-privilege IAM policy for the job's credentials
  lifecycle  print the bucket lifecycle rules; --apply puts them (operator credentials)
  restore    --name NAME [--date YYYY-MM-DD] (--to DIR | --into-database DB) [--mysql-defaults-file FILE]
             restore the newest (or that day's) backup of one asset or database
  verify     [--mysql-defaults-file FILE]  restore drill: restore everything to temp places and compare

restore, verify and lifecycle --apply use the operator's credentials from the AWS chain
(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance role), never the job's.
exit codes: 0 success, 1 failed at run time, 2 bad input`;

const OPTIONS: Record<string, ParseArgsConfig["options"]> = {
  run: { config: { type: "string" } },
  policy: { config: { type: "string" } },
  lifecycle: { config: { type: "string" }, apply: { type: "boolean" } },
  restore: {
    config: { type: "string" }, name: { type: "string" }, date: { type: "string" },
    to: { type: "string" }, "into-database": { type: "string" }, "mysql-defaults-file": { type: "string" },
  },
  verify: { config: { type: "string" }, "mysql-defaults-file": { type: "string" } },
};

function parse(command: string, argv: string[]): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({ args: argv, options: OPTIONS[command], strict: true, allowPositionals: false }) as
      { values: Record<string, string | boolean | undefined> };
    if (typeof values.config !== "string") throw new InputError([`${command}: --config CONFIG.yml is required`]);
    return values;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError([`${command}: ${(err as Error).message}`]);
  }
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
      throw new InputError([command ? `unknown command "${command}"` : "no command given"]);
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const flags = parse(command, rest);
    let cfg;
    try {
      cfg = loadConfig(flags.config as string);
    } catch (err) {
      // A config problem: the field paths say it all, the usage text would only bury them.
      if (!(err instanceof InputError)) throw err;
      process.stderr.write(`s3-backup: ${err.message}\n`);
      return exitCodeFor(err);
    }
    switch (command) {
      case "run":
        return await runBackup(cfg);
      case "policy":
        process.stdout.write(`${JSON.stringify(jobPolicy(cfg), null, 2)}\n`);
        return EXIT.ok;
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
          name: flags.name as string | undefined, date: flags.date as string | undefined,
          to: flags.to as string | undefined, intoDatabase: flags["into-database"] as string | undefined,
          mysqlDefaultsFile: flags["mysql-defaults-file"] as string | undefined,
        });
      default:
        return await verifyCommand(cfg, { mysqlDefaultsFile: flags["mysql-defaults-file"] as string | undefined });
    }
  } catch (err) {
    if (err instanceof InputError) {
      process.stderr.write(`s3-backup: ${err.message}\n\n${USAGE}\n`);
    } else if ((err as { $metadata?: unknown }).$metadata || (err as { name?: string }).name === "CredentialsProviderError") {
      process.stderr.write(`s3-backup: ${describeS3Error(err).message}\n`);
    } else {
      process.stderr.write(`s3-backup: ${(err as Error).message}\n`);
    }
    return exitCodeFor(err);
  }
}
