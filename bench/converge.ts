// How much a converge costs over starting Node itself, by run-list size: each run-list is
// converged once in its own sandbox (the first converge, timed, with a cap), then rounds alternate
// `node -e 0`, a no-op converge and a no-op `--why-run` over every run-list, all started the same
// way (inside the tests' sandbox, spec/support/sandbox.ts), so start-up and mount set-up cancel
// out and the machine's load hits every figure alike.
import { join } from "node:path";
import { PROJECT_ROOT } from "../engine/paths.js";
import { Sandbox } from "../spec/support/sandbox.js";
import { load, summarize, type Summary } from "./stats.js";
import { timed } from "./timed.js";

export const CONVERGE = join(PROJECT_ROOT, "bin/converge.js");

export interface ConvergeCase {
  /** e.g. "cron_entry x 100", "s3_mysql_backup x 50". */
  label: string;
  /** Primitives converged (a backup counts as the primitives it expands to). */
  primitives: number;
  doc: unknown;
  /** Secrets the run-list's {"env"} references read. */
  env: Record<string, string>;
}

/** A run-list converged once in its own sandbox, ready for no-op runs (or not, and why). */
export interface Prepared {
  c: ConvergeCase;
  sb: Sandbox;
  runList: string;
  /** Seconds the first converge took, or the cap when it was stopped there. */
  firstS: number;
  /** Why the no-op cannot be measured on it: the first converge failed or hit the cap. */
  notReady?: string;
}

/** Runs argv in the sandbox, timed inside it (bench/timed.ts). */
async function timedExec(sb: Sandbox, argv: string[], env: Record<string, string> = {}) {
  const t = timed(argv, sb.dir);
  const r = await sb.exec(t.argv, { env });
  return { r, s: t.seconds() };
}

/**
 * Converges the case once in a fresh sandbox, stopped after `capS` seconds (timeout(1) inside
 * the sandbox: a converge whose cost grows with the square would otherwise run for hours).
 */
export async function firstConverge(c: ConvergeCase, capS: number): Promise<Prepared> {
  const sb = await Sandbox.create();
  await sb.letEveryoneReach(PROJECT_ROOT); // backup users and access_check read this checkout
  const runList = sb.runList(c.doc);
  const argv = ["timeout", "--kill-after=10", String(capS), process.execPath, CONVERGE, runList];
  const { r, s } = await timedExec(sb, argv, c.env);
  if (r.exitCode === 124 || r.exitCode === 137)
    return { c, sb, runList, firstS: capS, notReady: `capped at ${capS} s` };
  if (r.exitCode !== 0) return { c, sb, runList, firstS: s, notReady: `first converge exited ${r.exitCode}` };
  return { c, sb, runList, firstS: s };
}

export interface ConvergeRow {
  label: string;
  primitives: number;
  firstS: number;
  noop: Summary;
  whyRun: Summary;
  notReady?: string;
}

export interface ConvergeFigures {
  rounds: number;
  floor: Summary;
  /** Steps between the floor and a no-op (LOWER_BOUNDS), in the same rounds. */
  bounds: { label: string; seconds: Summary }[];
  rows: ConvergeRow[];
}

/**
 * What any no-op converge of a backup costs before its own work, measured beside the floor: Node
 * running the programs it cannot do without (flock(1) for the run's lock, getent for NSS's
 * accounts and groups: Node has no flock or getpwnam of its own), and the engine loaded and
 * answering --version.
 */
const PROGRAMS = `const { execFile } = require("node:child_process");
let left = 3;
const done = (e) => { if (e) throw e; if (--left === 0) process.exit(0); };
execFile("flock", ["-n", require("node:os").tmpdir() + "/bench-bound.lock", "true"], done);
execFile("getent", ["passwd"], done);
execFile("getent", ["group"], done);`;
const LOWER_BOUNDS: [string, string[]][] = [
  ["`node -e` running flock, getent passwd, getent group", [process.execPath, "-e", PROGRAMS]],
  ["`converge --version` (the engine loaded, no work)", [process.execPath, CONVERGE, "--version"]],
];

/** `rounds` interleaved rounds of floor, no-op and why-run over every prepared run-list. */
export async function measureNoops(prepared: Prepared[], rounds: number): Promise<ConvergeFigures> {
  const floor: number[] = [];
  const bounds = LOWER_BOUNDS.map(() => [] as number[]);
  const noop = prepared.map(() => [] as number[]);
  const whyRun = prepared.map(() => [] as number[]);
  const once = async (p: Prepared, flags: string[]) => {
    const { r, s } = await timedExec(p.sb, [process.execPath, CONVERGE, p.runList, ...flags], p.c.env);
    // A no-op exits 0 in both modes; anything else means the figure is not a no-op's.
    if (r.exitCode !== 0 || !/^converge: 0\//m.test(r.stdout))
      throw new Error(
        `${p.c.label}: converge ${flags.join(" ")} was not a no-op (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`,
      );
    return s;
  };
  for (let round = 0; round < rounds; round++) {
    for (const [i, p] of prepared.entries()) {
      if (p.notReady) continue;
      floor.push((await timedExec(p.sb, [process.execPath, "-e", "0"])).s);
      for (const [j, [label, argv]] of LOWER_BOUNDS.entries()) {
        const { r, s } = await timedExec(p.sb, argv);
        if (r.exitCode !== 0) throw new Error(`${label} exited ${r.exitCode}: ${r.stderr}`);
        bounds[j].push(s);
      }
      noop[i].push(await once(p, []));
      whyRun[i].push(await once(p, ["--why-run"]));
    }
    console.error(`  round ${round + 1} of ${rounds} done (load ${load()})`);
  }
  return {
    rounds,
    floor: summarize(floor),
    bounds: LOWER_BOUNDS.map(([label], j) => ({ label, seconds: summarize(bounds[j]) })),
    rows: prepared.map((p, i) => ({
      label: p.c.label,
      primitives: p.c.primitives,
      firstS: p.firstS,
      noop: summarize(noop[i]),
      whyRun: summarize(whyRun[i]),
      ...(p.notReady ? { notReady: p.notReady } : {}),
    })),
  };
}

/** Counts the blocks converge has written in root's crontab in this sandbox. */
export async function cronBlocks(sb: Sandbox): Promise<number> {
  const r = await sb.exec(["crontab", "-u", "root", "-l"]);
  return r.stdout.split("\n").filter((l) => l.startsWith("# converge end: ")).length;
}
