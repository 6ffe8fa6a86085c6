// `converge RUN_LIST.json [--why-run | --validate] [--format doc|json] [--log-level LEVEL] [--recipe-path DIR]... [--lock-timeout SECONDS]`
// Flags and help are declared in cli-spec.ts.
import { resolve } from "node:path";
import { CONVERGE } from "./cli-spec.js";
import { compileFile } from "./compile.js";
import { EXIT, InputError, exitCodeFor, failureLine } from "./errors.js";
import { helpText, parseFlags, UsageError, versionLine } from "./flags.js";
import { DEFAULT_LOCK_TIMEOUT, lockHost } from "./lock.js";
import { LEVELS, log, setLevel, toStderr, type Level } from "./log.js";
import { flushReport, report } from "./report-out.js";
import { docLines, docSummary } from "./report/doc.js";
import { errorDocument } from "./report/error.js";
import { jsonReport } from "./report/json.js";
import { allResourceTypes } from "./registry.js";
import { converge, type Outcome } from "./runner.js";

interface Options {
  runList: string;
  whyRun: boolean;
  /** Only compile: validate, run recipes, resolve secrets, render templates; read nothing of the host's state. */
  validate: boolean;
  format: "doc" | "json";
  recipePaths: string[];
  lockTimeout: number;
}

function parse(argv: string[]): Options | "help" | "version" {
  const { values, positionals, help, version } = parseFlags(CONVERGE, argv);
  if (help) return "help";
  if (version) return "version";
  const format = (values.format as string | undefined) ?? "doc";
  const level = (values["log-level"] as string | undefined) ?? "warn";
  const problems: string[] = [];
  if (format !== "doc" && format !== "json")
    problems.push(`--format: must be doc or json, got ${JSON.stringify(format)}`);
  if (values["why-run"] === true && values.validate === true) problems.push("give --why-run or --validate, not both");
  if (!LEVELS.includes(level as Level))
    problems.push(`--log-level: must be one of ${LEVELS.join(", ")}, got ${JSON.stringify(level)}`);
  const lockTimeout = (values["lock-timeout"] as string | undefined) ?? String(DEFAULT_LOCK_TIMEOUT);
  if (!/^\d{1,7}(\.\d+)?$/.test(lockTimeout))
    problems.push(`--lock-timeout: must be a number of seconds (0 or more), got ${JSON.stringify(lockTimeout)}`);
  if (problems.length) throw new UsageError(problems);
  setLevel(level as Level);
  return {
    runList: positionals[0],
    whyRun: values["why-run"] === true,
    validate: values.validate === true,
    format: format as "doc" | "json",
    recipePaths: (values["recipe-path"] as string[]).map((p) => resolve(p)),
    lockTimeout: Number(lockTimeout),
  };
}

/**
 * Whether the command line asks for json, read before it is known to be valid: a mistake elsewhere
 * on a `--format json` command line is still answered in JSON.
 */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === "--format=json" || (a === "--format" && argv[i + 1] === "json"));
}

/** Refuses a non-root user before anything is read: users, crontabs and /etc need root, even to look. */
function requireRoot(): void {
  if (process.getuid?.() !== 0)
    throw new InputError([
      "must run as root (it reads and changes users, crontabs and files under /etc; run it with sudo)",
    ]);
}

/** Runs converge; resolves to the exit code, its report written. Output goes through the redactor, always. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } finally {
    flushReport();
  }
}

async function run(argv: string[]): Promise<number> {
  try {
    const opts = parse(argv);
    if (opts === "help") return (report(helpText(CONVERGE)), EXIT.ok);
    if (opts === "version") return (report(versionLine("converge")), EXIT.ok);
    requireRoot();
    const started = performance.now();
    const { nodes, warnings } = await compileFile(opts.runList, opts.recipePaths);
    for (const w of warnings) log("warn", w);
    if (opts.validate) {
      const labels = nodes.map((n) => n.label);
      report(
        opts.format === "doc"
          ? `converge: ${opts.runList} is valid: ${labels.length} resources\n`
          : `${JSON.stringify({ valid: true, resources: labels }, null, 2)}\n`,
      );
      return EXIT.ok;
    }
    // Taken once the input is known good and before any state is read; if this process dies, the kernel drops it.
    const lock = await lockHost(opts.lockTimeout, (line) => toStderr(`converge: ${line}\n`));
    let lastParent: string | undefined;
    let outcomes: Outcome[];
    try {
      outcomes = await converge(nodes, {
        whyRun: opts.whyRun,
        observe: (e) => log("debug", `${e.kind} ${e.target}`),
        onOutcome: (o) => {
          if (opts.format !== "doc") return;
          report(`${docLines(o, opts.whyRun, lastParent).join("\n")}\n`);
          lastParent = o.node.parent;
        },
      });
    } finally {
      lock.release();
    }
    const seconds = (performance.now() - started) / 1000;
    report(
      opts.format === "doc"
        ? `${docSummary(outcomes, opts.whyRun, seconds)}\n`
        : `${jsonReport(outcomes, opts.whyRun)}\n`,
    );
    return exitCode(outcomes, opts.whyRun);
  } catch (err) {
    if (wantsJson(argv)) report(`${errorDocument(err)}\n`);
    else {
      const message = failureLine(err);
      const usage =
        err instanceof UsageError ? `\nusage: ${CONVERGE.usage}\n(converge --help explains every flag)` : "";
      toStderr(`converge: ${message}${usage}\n`);
    }
    if (!(err instanceof InputError) && process.env.CONVERGE_DEBUG) toStderr(`${(err as Error).stack}\n`);
    return exitCodeFor(err);
  }
}

function exitCode(outcomes: readonly Outcome[], whyRun: boolean): number {
  if (outcomes.some((o) => o.status === "failed")) return EXIT.failed;
  if (whyRun && outcomes.some((o) => o.status === "would_update")) return EXIT.drift;
  return EXIT.ok;
}

/**
 * Run by the build's warm-up after a validation (scripts/warm-code-cache.mjs): loads every
 * resource type, and what each loads only on first use, so that V8's code cache holds those
 * modules compiled too. Reads and changes nothing.
 */
export async function preloadAll(): Promise<void> {
  for (const t of await allResourceTypes()) if (t.kind === "primitive") await t.preload?.();
}
