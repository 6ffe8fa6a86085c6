// `converge RUN_LIST.json [--why-run] [--format doc|json] [--log-level LEVEL] [--recipe-path DIR]...`
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { compileFile } from "./compile.js";
import { EXIT, InputError, exitCodeFor, reasonOf } from "./errors.js";
import { LEVELS, log, setLevel, type Level } from "./log.js";
import { docLines, docSummary } from "./report/doc.js";
import { jsonReport } from "./report/json.js";
import { converge, type Outcome } from "./runner.js";
import { redactor } from "./secrets.js";

const USAGE = `usage: converge RUN_LIST.json [--why-run | --validate] [--format doc|json] [--log-level ${LEVELS.join("|")}] [--recipe-path DIR]...`;

interface Options {
  runList: string;
  whyRun: boolean;
  /** Only compile: validate, run recipes, resolve secrets, render templates; read nothing of the host's state. */
  validate: boolean;
  format: "doc" | "json";
  recipePaths: string[];
}

function parse(argv: string[]): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "why-run": { type: "boolean", default: false },
        validate: { type: "boolean", default: false },
        format: { type: "string", default: "doc" },
        "log-level": { type: "string", default: "warn" },
        "recipe-path": { type: "string", multiple: true, default: [] },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    throw new InputError([(err as Error).message, USAGE]);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const problems: string[] = [];
  if (positionals.length !== 1) problems.push("give exactly one run-list file");
  if (values["why-run"] && values.validate) problems.push("give --why-run or --validate, not both");
  if (values.format !== "doc" && values.format !== "json")
    problems.push(`--format must be doc or json, got ${JSON.stringify(values.format)}`);
  if (!LEVELS.includes(values["log-level"] as Level)) problems.push(`--log-level must be one of ${LEVELS.join(", ")}`);
  if (problems.length) throw new InputError([...problems, USAGE]);
  setLevel(values["log-level"] as Level);
  return {
    runList: positionals[0],
    whyRun: values["why-run"]!,
    validate: values.validate!,
    format: values.format as "doc" | "json",
    recipePaths: values["recipe-path"]!.map((p) => resolve(p)),
  };
}

/** Runs converge; resolves to the exit code. Output goes through the redactor, always. */
export async function main(argv: string[]): Promise<number> {
  const out = (text: string) => process.stdout.write(redactor.scrub(text));
  try {
    const opts = parse(argv);
    if (opts === "help") return (out(`${USAGE}\n`), EXIT.ok);
    const started = performance.now();
    const { nodes, warnings } = await compileFile(opts.runList, opts.recipePaths);
    for (const w of warnings) log("warn", w);
    if (opts.validate) {
      const labels = nodes.map((n) => n.label);
      out(
        opts.format === "doc"
          ? `converge: ${opts.runList} is valid: ${labels.length} resources\n`
          : `${JSON.stringify({ valid: true, resources: labels }, null, 2)}\n`,
      );
      return EXIT.ok;
    }
    let lastParent: string | undefined;
    const outcomes = await converge(nodes, {
      whyRun: opts.whyRun,
      observe: (e) => log("debug", `${e.kind} ${e.target}`),
      onOutcome: (o) => {
        if (opts.format !== "doc") return;
        out(`${docLines(o, opts.whyRun, lastParent).join("\n")}\n`);
        lastParent = o.node.parent;
      },
    });
    const seconds = (performance.now() - started) / 1000;
    out(
      opts.format === "doc"
        ? `${docSummary(outcomes, opts.whyRun, seconds)}\n`
        : `${jsonReport(outcomes, opts.whyRun)}\n`,
    );
    return exitCode(outcomes, opts.whyRun);
  } catch (err) {
    const message = err instanceof InputError ? err.message : `${(err as Error)?.name ?? "error"}: ${reasonOf(err)}`;
    process.stderr.write(redactor.scrub(`converge: ${message}\n`));
    if (!(err instanceof InputError) && process.env.CONVERGE_DEBUG)
      process.stderr.write(redactor.scrub(`${(err as Error).stack}\n`));
    return exitCodeFor(err);
  }
}

function exitCode(outcomes: readonly Outcome[], whyRun: boolean): number {
  if (outcomes.some((o) => o.status === "failed")) return EXIT.failed;
  if (whyRun && outcomes.some((o) => o.status === "would_update")) return EXIT.drift;
  return EXIT.ok;
}
