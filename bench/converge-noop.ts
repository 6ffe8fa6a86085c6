// How much a converge that has nothing to do costs over starting Node itself, measured as a
// ratio in one run (the machine is shared and noisy: absolute times are not comparable).
// Both run the same way, inside the tests' sandbox, so the mount-namespace setup cancels out.
import { join } from "node:path";
import { PROJECT_ROOT } from "../engine/paths.js";
import { Sandbox } from "../spec/support/sandbox.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const runList = join(PROJECT_ROOT, "examples/primitives.json");
const converge = [process.execPath, join(PROJECT_ROOT, "bin/converge.js"), runList];

async function timed(sb: Sandbox, argv: string[], expectExit: number): Promise<number> {
  const started = process.hrtime.bigint();
  const r = await sb.exec(argv);
  if (r.exitCode !== expectExit) throw new Error(`${argv.join(" ")} exited ${r.exitCode}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sb = await Sandbox.create();
try {
  await timed(sb, converge, 0); // converge once: every later run is a no-op
  const floor: number[] = [];
  const noop: number[] = [];
  const whyRun: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    floor.push(await timed(sb, [process.execPath, "-e", "0"], 0));
    noop.push(await timed(sb, converge, 0));
    whyRun.push(await timed(sb, [...converge, "--why-run"], 0));
  }
  const f = median(floor);
  console.log(`rounds: ${ROUNDS}; resources: 4 (system_user, directory, template_file, cron_entry)`);
  console.log(`node -e 0 (floor)      ${f.toFixed(0)} ms   1.0x`);
  console.log(`converge, no-op        ${median(noop).toFixed(0)} ms   ${(median(noop) / f).toFixed(1)}x`);
  console.log(`converge --why-run     ${median(whyRun).toFixed(0)} ms   ${(median(whyRun) / f).toFixed(1)}x`);
} finally {
  await sb.destroy();
}
