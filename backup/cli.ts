// The `s3-backup` command: flag parsing and dispatch. Exit codes come from engine/errors.ts.
// Each command loads what it needs when it runs: --help reads no config (no ajv), only the
// commands that talk to S3 load the AWS SDK, and `run` takes its lock first, so a run started
// while another holds it exits in the time it takes to read the config.
import { EXIT, exitCodeFor, InputError } from "../engine/errors.js";
import { helpText, parseFlags, unknownCommand, UsageError, versionLine, type FlagValues } from "../engine/flags.js";
import { describeS3Error, isS3Error } from "../providers/s3/errors.js";
import { COMMANDS, overview } from "./commands.js";
import { JobLog } from "./log.js";
import { localSystem, type System } from "./system.js";

/** What is wrong with a command's flags taken together, checked before the config is read. */
function flagProblem(command: string, v: FlagValues): string | undefined {
  if (command === "status") return statusFlagProblem(v);
  if (typeof v.config !== "string") return "--config FILE is required";
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

function statusFlagProblem(v: FlagValues): string | undefined {
  if ((v.config === undefined) === (v.bucket === undefined)) return "give exactly one of --config FILE or --bucket B";
  if (v.config !== undefined && ["prefix", "region", "endpoint"].some((k) => v[k] !== undefined))
    return "--prefix, --region and --endpoint go with --bucket; with --config they come from the config";
  if (v.format !== undefined && v.format !== "text" && v.format !== "json") return "--format must be text or json";
  if (v.endpoint !== undefined && !/^https?:\/\//.test(v.endpoint as string))
    return "--endpoint must be an http(s) URL";
  return undefined;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], sys: System = localSystem): Promise<number> {
  const [command, ...rest] = argv;
  // What cron runs reports every stderr line to syslog too, bad input included.
  let log: JobLog | undefined;
  const say = (line: string) => (log ? log.error(line) : process.stderr.write(`${line}\n`));
  if (command === "--help" || command === "-h" || command === "help")
    return (process.stdout.write(overview()), EXIT.ok);
  if (command === "--version") return (process.stdout.write(versionLine("s3-backup")), EXIT.ok);
  try {
    if (!command) throw new UsageError(["no command given"]);
    if (!Object.hasOwn(COMMANDS, command)) throw new UsageError([unknownCommand(command, Object.keys(COMMANDS))]);
    const parsed = parseFlags(COMMANDS[command], rest);
    if (parsed.help) return (process.stdout.write(helpText(COMMANDS[command])), EXIT.ok);
    if (parsed.version) return (process.stdout.write(versionLine("s3-backup")), EXIT.ok);
    const flags = parsed.values;
    const problem = flagProblem(command, flags);
    if (problem) throw new UsageError([`${command}: ${problem}`]);
    const str = (flag: string) => flags[flag] as string | undefined;
    const warn = (line: string) => (log ? log.warn(line) : say(line));
    const { loadConfig, runRequirements } = await import("./config.js");
    if (command === "status") {
      const { statusCommand } = await import("./status-command.js");
      return await statusCommand({
        config: flags.config === undefined ? undefined : loadConfig(str("config")!, warn),
        bucket: str("bucket"),
        prefix: str("prefix"),
        region: str("region"),
        endpoint: str("endpoint"),
        host: str("host"),
        name: str("name"),
        maxAge: flags["max-age"] as string[] | undefined,
        format: str("format"),
      });
    }
    if (command === "run") log = new JobLog(sys);
    const cfg = loadConfig(flags.config as string, warn);
    switch (command) {
      case "run": {
        const { runBackup } = await import("./run.js");
        return await runBackup(cfg, { sys, log });
      }
      case "policy": {
        const { jobPolicy, policyNotes } = await import("./policy.js");
        process.stdout.write(`${JSON.stringify(jobPolicy(cfg, { principal: str("principal") }), null, 2)}\n`);
        for (const note of policyNotes(cfg, str("principal")))
          process.stderr.write(`s3-backup policy: note: ${note}\n`);
        return EXIT.ok;
      }
      case "setup": {
        const { setupCommand } = await import("./setup.js");
        const { operatorS3Client } = await import("../providers/s3/client.js");
        return await setupCommand(operatorS3Client(cfg.s3, cfg.timeouts), cfg, {
          apply: !!flags.apply,
          principal: str("principal"),
        });
      }
      case "selftest": {
        const { selftestCommand } = await import("./selftest.js");
        const { jobS3Client } = await import("../providers/s3/client.js");
        return await selftestCommand(
          jobS3Client(cfg.s3, runRequirements(cfg, { assetsNeeded: false }), cfg.timeouts),
          cfg,
        );
      }
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
      // Only a command-line mistake gets the usage: cron mails everything printed.
      const spec = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
      const usage = spec
        ? `usage: ${spec.usage}\n(s3-backup ${command} --help explains every flag)`
        : `usage: s3-backup COMMAND --config FILE [flags]\n(s3-backup --help lists the commands: ${Object.keys(COMMANDS).join(", ")})`;
      process.stderr.write(`s3-backup: ${err.message}\n\n${usage}\n`);
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
