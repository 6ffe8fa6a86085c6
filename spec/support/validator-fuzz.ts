// The validator fuzz's driver, run inside a sandbox by spec/engine/validator-fuzz.spec.ts:
//   node --import tsx spec/support/validator-fuzz.ts WORK_DIR CASES SEED
// Each generated run-list goes through converge's own command line (`main`, with --validate) and
// each config.yml through s3-backup's (`policy`, which loads and validates it and needs no network),
// in this one process: 5,000 processes of each would take far too long. Every case must end in
// exit 0 or 2, with no stack trace, no "[object Object]" and, for 2, nothing but "PROGRAM: " lines.
// Each case runs twice: through tsc's output, which compiles the schemas with ajv as it runs, and
// through the bundle the commands run, whose validators were compiled at build time; both must
// answer alike, word for word.
// Prints one JSON document of figures on stdout.
import fc from "fast-check";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { configCases, ENV, EXTREME_CONFIGS, EXTREME_RUN_LISTS, type Fixtures, runListCases } from "./fuzz-cases.js";

type Main = (argv: string[]) => Promise<number>;

export interface FuzzFigures {
  kind: string;
  cases: number;
  exits: Record<string, number>;
  /** The first few cases that broke a rule, with what was printed. */
  failures: { input: string; code: number; stderr: string }[];
  seconds: number;
}

/** Calls a command's main with its output captured instead of printed. */
async function capture(main: Main, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } catch (e) {
    // main must never throw: count it as the worst outcome, with the trace to show for it.
    return { code: -1, stdout: out.join(""), stderr: `${err.join("")}${(e as Error)?.stack ?? String(e)}` };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

/** Why the outcome breaks the fuzz's rule, or undefined when it holds. */
function broken(
  program: string,
  input: string,
  r: { code: number; stdout: string; stderr: string },
): string | undefined {
  if (r.code !== 0 && r.code !== 2) return `exit ${r.code}`;
  if (/\n\s+at /.test(r.stderr)) return "a stack trace";
  // Unless the input said it: then a message may well quote it.
  if (r.stderr.includes("[object Object]") && !input.includes("[object Object]")) return "[object Object]";
  if (r.code === 2 && r.stdout !== "") return "exit 2 with output on stdout";
  // One line per problem, the first one naming the program.
  if (r.code === 2 && !new RegExp(`^${program}: [^\n]+(\n[^\n]+)*\n$`).test(r.stderr))
    return "exit 2 without one clear line per problem";
  return undefined;
}

/** Runs each case (bytes written to `file`, or a path given as is) through `run` and counts how it ended. */
async function fuzz(
  kind: string,
  program: string,
  cases: (Buffer | string)[],
  run: (file: string) => ReturnType<typeof capture>,
  twin: (file: string) => ReturnType<typeof capture>,
  file: string,
): Promise<FuzzFigures> {
  const started = performance.now();
  const figures: FuzzFigures = { kind, cases: cases.length, exits: {}, failures: [], seconds: 0 };
  for (const input of cases) {
    if (typeof input !== "string") writeFileSync(file, input, { mode: 0o600 });
    const r = await run(typeof input === "string" ? input : file);
    const bundled = await twin(typeof input === "string" ? input : file);
    figures.exits[r.code] = (figures.exits[r.code] ?? 0) + 1;
    const text = typeof input === "string" ? input : input.toString("latin1");
    const same = bundled.code === r.code && bundled.stdout === r.stdout && bundled.stderr === r.stderr;
    const why =
      broken(program, text, r) ??
      (same ? undefined : `the bundle answered differently (exit ${bundled.code}: ${bundled.stderr.slice(0, 700)})`);
    if (why && figures.failures.length < 5)
      figures.failures.push({
        input: text.slice(0, 500),
        code: r.code,
        stderr: `${why}: ${r.stderr.slice(0, 1500)}`,
      });
  }
  figures.seconds = Math.round((performance.now() - started) / 100) / 10;
  return figures;
}

function fixtures(work: string): Fixtures {
  mkdirSync(join(work, "templates"), { recursive: true });
  const fx: Fixtures = {
    template: join(work, "templates", "ok.hbs"),
    brokenTemplate: join(work, "templates", "broken.hbs"),
    fifo: join(work, "fifo"),
    secretFile: join(work, "secret"),
    openSecretFile: join(work, "open-secret"),
  };
  writeFileSync(fx.template, "a = {{a}}\nb = {{shell a.b}}\n");
  writeFileSync(fx.brokenTemplate, "{{#if a}}\n");
  writeFileSync(fx.secretFile, "file-secret-value-0451\n", { mode: 0o600 });
  writeFileSync(fx.openSecretFile, "file-secret-value-0452\n");
  chmodSync(fx.openSecretFile, 0o644);
  execFileSync("mkfifo", [fx.fifo]);
  return fx;
}

const [work, count, seed] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
Object.assign(process.env, ENV);
const fx = fixtures(work);
const main = async (path: string) => (await import(join(PROJECT_ROOT, path))).main as Main;
const [converge, bundledConverge] = [await main("dist/engine/cli.js"), await main("dist/bundle/converge.cjs")];
const [backup, bundledBackup] = [await main("dist/backup/cli.js"), await main("dist/bundle/s3-backup.js")];
// Besides the generated cases: what never ends or never opens, and the slowest ways to fail.
const paths = ["/dev/zero", "/dev/urandom", "/dev/null", fx.fifo, work];
const runLists = [...fc.sample(runListCases(fx), { numRuns: count, seed }), ...EXTREME_RUN_LISTS, ...paths];
const configs = [...fc.sample(configCases(), { numRuns: count, seed }), ...EXTREME_CONFIGS, ...paths];
const figures = [
  await fuzz(
    "run-lists",
    "converge",
    runLists,
    (f) => capture(converge, [f, "--validate"]),
    (f) => capture(bundledConverge, [f, "--validate"]),
    join(work, "run-list.json"),
  ),
  await fuzz(
    "config.yml files",
    "s3-backup",
    configs,
    (f) => capture(backup, ["policy", "--config", f]),
    (f) => capture(bundledBackup, ["policy", "--config", f]),
    join(work, "config.yml"),
  ),
];
process.stdout.write(`${JSON.stringify(figures)}\n`);
