// Where a no-op converge of s3_mysql_backups spends its time: the run-list is converged once in a
// sandbox (as the converge bench does), then converged again under `node --cpu-prof`, and the
// profile's self time is summed by where the code comes from. PROFILE_BACKUPS sets how many
// backups (1); PROFILE_STRACE=FILE also logs every program the no-ops start (strace -f, which
// slows them: read that run's programs, not its times). Run:
//   npm run build && node --import tsx bench/profile-noop.ts
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withBackupsConverged } from "./backups-ready.js";
import { CONVERGE } from "./converge.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function's code comes from: a package, a folder of ours, Node's module loader, or the VM's own buckets. */
function origin({ functionName, url }: ProfileNode["callFrame"]): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `package ${pkg[1]}`;
  if (url.startsWith("node:internal/modules") || url.startsWith("node:internal/vm")) return "Node: module loading";
  if (url.startsWith("node:")) return "Node: other built-ins";
  const ours = /\/dist\/([^/]+\/(?:[^/]+\/)?)/.exec(url) ?? /\/(bin)\//.exec(url);
  return ours ? `ours: ${ours[1]}` : url;
}

/** Milliseconds of self time by origin, largest first, and the total. */
export function summarize(p: Profile): { total: number; by: [string, number][] } {
  const of = new Map(p.nodes.map((n) => [n.id, origin(n.callFrame)]));
  const by = new Map<string, number>();
  p.samples.forEach((id, i) => by.set(of.get(id)!, (by.get(of.get(id)!) ?? 0) + p.timeDeltas[i] / 1000));
  const total = [...by.values()].reduce((a, b) => a + b, 0);
  return { total, by: [...by].sort((a, b) => b[1] - a[1]) };
}

await withBackupsConverged(Number(process.env.PROFILE_BACKUPS ?? 1), async (p, env) => {
  const dir = mkdtempSync(join(tmpdir(), "profile-"));
  for (const flags of [[], ["--why-run"]]) {
    const r = await p.sb.exec(
      [
        ...(process.env.PROFILE_STRACE
          ? ["strace", "-f", "-qq", "-e", "trace=execve", "-o", process.env.PROFILE_STRACE]
          : []),
        process.execPath,
        "--cpu-prof",
        `--cpu-prof-dir=${dir}`,
        CONVERGE,
        p.runList,
        ...flags,
      ],
      { env },
    );
    if (!/^converge: 0\//m.test(r.stdout)) throw new Error(`not a no-op:\n${r.stdout}\n${r.stderr}`);
  }
  for (const file of readdirSync(dir).sort()) {
    const { total, by } = summarize(JSON.parse(readFileSync(join(dir, file), "utf8")) as Profile);
    console.log(`\n${file}: ${total.toFixed(0)} ms sampled`);
    for (const [what, ms] of by.filter(([, ms]) => ms >= 2)) console.log(`  ${ms.toFixed(0).padStart(5)} ms  ${what}`);
  }
  console.log(`\nprofiles in ${dir} (open in Chrome DevTools, Performance tab)`);
});
