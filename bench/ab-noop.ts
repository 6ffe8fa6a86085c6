// Two builds of converge side by side: a no-op converge of the same s3_mysql_backups, each build in
// turn within every round, with `node -e 0` in the same rounds, all started inside one sandbox as
// bench/converge.ts starts them. On a shared machine only figures taken together compare; this is
// how a change is measured against the build before it. Each build is a folder under the project
// (the bundle finds the templates from where it is) holding converge.cjs and its code cache:
//   git worktree add /tmp/before <commit> && (cd /tmp/before && ln -s "$PWD/node_modules" . && npm run build)
//   mkdir -p dist/ab-before && cp /tmp/before/dist/bundle/converge.cjs* dist/ab-before/
//   npm run build && AB_BUILDS=dist/ab-before,dist/bundle AB_BACKUPS=50 node --import tsx bench/ab-noop.ts
// AB_ROUNDS (7), AB_FLAGS (e.g. --why-run).
import { join, resolve } from "node:path";
import { PROJECT_ROOT } from "../engine/paths.js";
import { withBackupsConverged } from "./backups-ready.js";
import { ratio, secsRange, summarize, table } from "./stats.js";
import { timed } from "./timed.js";

const builds = (process.env.AB_BUILDS ?? "dist/bundle").split(",");
const n = Number(process.env.AB_BACKUPS ?? 1);
const rounds = Number(process.env.AB_ROUNDS ?? 7);
const flags = (process.env.AB_FLAGS ?? "").split(" ").filter(Boolean);

await withBackupsConverged(n, async (p, env) => {
  const launch = join(PROJECT_ROOT, "bench/ab-launch.mjs");
  const commands: [string, string[]][] = [
    ["node -e 0", [process.execPath, "-e", "0"]],
    ...builds.map((b): [string, string[]] => [
      b,
      [process.execPath, launch, resolve(PROJECT_ROOT, b, "converge.cjs"), p.runList, ...flags],
    ]),
  ];
  const times = new Map(commands.map(([label]) => [label, [] as number[]]));
  for (let r = 0; r < rounds; r++)
    for (const [label, argv] of commands) {
      const t = timed(argv, p.sb.dir);
      const res = await p.sb.exec(t.argv, { env });
      if (label !== "node -e 0" && !/^converge: 0\//m.test(res.stdout))
        throw new Error(`${label}: not a no-op\n${res.stdout}\n${res.stderr}`);
      times.get(label)!.push(t.seconds());
    }
  const floor = summarize(times.get("node -e 0")!).median;
  const first = summarize(times.get(builds[0])!).median;
  console.log(`s3_mysql_backup x ${n} ${flags.join(" ")}, ${rounds} rounds, medians (min-max):\n`);
  console.log(
    table(
      ["command", "wall", "/ floor", `/ ${builds[0]}`],
      [...times].map(([label, xs]) => {
        const s = summarize(xs);
        return [label, secsRange(s), ratio(s.median, floor), label === "node -e 0" ? "" : ratio(s.median, first)];
      }),
    ),
  );
});
