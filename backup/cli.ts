// The `s3-backup` command: flag parsing and dispatch. Exit codes come from engine/errors.ts.
// The commands that need the AWS SDK load it when they run: `run` takes its lock first, so a run
// started while another holds it exits in the time it takes to read the config.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT, exitCodeFor, InputError } from "../engine/errors.js";
import { describeS3Error, isS3Error } from "../providers/s3/errors.js";
import { loadConfig } from "./config.js";
import { JobLog } from "./log.js";
import { jobPolicy } from "./policy.js";
import { runBackup } from "./run.js";
import { localSystem, type System } from "./system.js";

export const USAGE = `usage: s3-backup <command> --config CONFIG.yml [options]

commands:
  run        back up every asset and database in the config (what cron runs)
  policy     print the least-privilege IAM policy for the job's credentials
  lifecycle  print the bucket lifecycle rules; --apply puts them (operator credentials)
  restore    --name NAME [--date YYYY-MM-DD] [--host HOST] (--to DIR | --into-database DB) [--mysql-defaults-file FILE]
             restore the newest (or that day's) backup of one asset or database; NAME is the
             asset's path (/var/www/site), its key name (var_www_site) or the database
  verify     [--date YYYY-MM-DD] [--host HOST] [--work-dir DIR] [--mysql-defaults-file FILE]
             restore drill of the newest (or that day's) run: restore everything to temp
             places (archives under DIR) and compare

--host reads the backups another machine made (default: the config's host).

restore, verify and lifecycle --apply use the operator's credentials from the AWS chain
(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance role), never the job's.
exit codes: 0 success, 1 failed at run time, 2 bad input`;

const OPTIONS: Record<string, ParseArgsConfig["options"]> = {
  run: { config: { type: "string" } },
  policy: { config: { type: "string" } },
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
  if (command !== "restore") return undefined;
  if (!v.name) return "--name NAME is required";
  if ((v.to === undefined) === (v["into-database"] === undefined))
    return "give exactly one of --to DIR or --into-database DB";
  return undefined;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], sys: System = localSystem): Promise<number> {
  const [command, ...rest] = argv;
  // What cron runs reports every stderr line to syslog too, bad input included.
  let log: JobLog | undefined;
  const say = (line: string) => (log ? log.error(line) : process.stderr.write(`${line}\n`));
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
    if (command === "run") log = new JobLog(sys);
    const cfg = loadConfig(sys, flags.config as string, (line) => (log ? log.warn(line) : say(line)));
    const str = (flag: string) => flags[flag] as string | undefined;
    switch (command) {
      case "run":
        return await runBackup(cfg, { sys, log });
      case "policy":
        process.stdout.write(`${JSON.stringify(jobPolicy(cfg), null, 2)}\n`);
        return EXIT.ok;
      case "lifecycle": {
        const { applyLifecycle, lifecycleRules } = await import("./lifecycle.js");
        if (!flags.apply) {
          process.stdout.write(`${JSON.stringify({ Rules: lifecycleRules(cfg) }, null, 2)}\n`);
          return EXIT.ok;
        }
        const { operatorS3Client } = await import("../providers/s3/client.js");
        const written = await applyLifecycle(operatorS3Client(cfg.s3, cfg.timeouts), cfg);
        process.stdout.write(`${JSON.stringify(written, null, 2)}\n`);
        process.stdout.write(`s3-backup ${cfg.name}: lifecycle rules applied to bucket ${cfg.s3.bucket}\n`);
        return EXIT.ok;
      }
      case "restore": {
        const { restoreCommand } = await import("./restore.js");
        return await restoreCommand(
          cfg,
          {
            name: str("name")!,
            date: str("date"),
            host: str("host"),
            to: str("to"),
            intoDatabase: str("into-database"),
            mysqlDefaultsFile: str("mysql-defaults-file"),
          },
          sys,
        );
      }
      default: {
        const { verifyCommand } = await import("./verify.js");
        return await verifyCommand(
          cfg,
          {
            host: str("host"),
            date: str("date"),
            workDir: str("work-dir"),
            mysqlDefaultsFile: str("mysql-defaults-file"),
          },
          sys,
        );
      }
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`s3-backup: ${err.message}\n\n${USAGE}\n`);
    } else if (err instanceof InputError) {
      for (const problem of err.problems) say(`s3-backup: ${problem}`);
    } else if (isS3Error(err) || (err as { name?: string }).name === "CredentialsProviderError") {
      say(`s3-backup: ${describeS3Error(err).message}`);
    } else {
      say(`s3-backup: ${(err as Error).message}`);
    }
    return exitCodeFor(err);
  } finally {
    await log?.close();
  }
}
