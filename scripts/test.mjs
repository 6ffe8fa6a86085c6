// Runs the whole suite with vitest and prints the plain closing line CI reads
// ("N passed, N failed, N skipped"), exiting non-zero if any run failed.
//
// With no arguments the spec files run as three groups at once, one vitest each, each with its
// own MariaDB server and S3 endpoint (the globalSetup runs per vitest):
// - "sandbox": files that reach spec/support/sandbox.ts through their imports. They create
//   system users and MariaDB accounts with shared names (backup_shop...), and userdel refuses a
//   uid that a process of another sandbox runs as, so they run one after another.
// - "ceph": spec/ceph, each file with a cluster of its own on free ports. Most of their time is
//   spent waiting for the gateway (lifecycle "days"), so they cost the other groups little.
// - "host": the rest (the job as root on temp dirs, pure units). Like the Ceph group they never
//   create a user or run a process under another uid, and their MariaDB is not the sandbox's.
// Within each group files run one at a time, as before. Path arguments keep only the spec files
// whose path contains one of them, grouped the same way; an option (-t, --bail...) runs one
// vitest with all the arguments, as `npx vitest run` would.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const SANDBOX = join(ROOT, "spec/support/sandbox.ts");
const dir = mkdtempSync(join(tmpdir(), "vitest-"));

/** Spec files under `d`, relative to the project root. */
const specsIn = (d) =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? specsIn(join(d, e.name)) : e.name.endsWith(".spec.ts") ? [join(d, e.name)] : [],
  );

/** Whether `file` imports the sandbox, directly or through the modules it imports. */
function reachesSandbox(file, seen = new Set()) {
  if (file === SANDBOX) return true;
  if (seen.has(file) || !existsSync(file)) return false;
  seen.add(file);
  const src = readFileSync(file, "utf8");
  for (const [, spec] of src.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    const target = resolve(dirname(file), spec);
    const candidates = [target.replace(/\.js$/, ".ts"), target, `${target}.ts`];
    if (candidates.some((c) => reachesSandbox(c, seen))) return true;
  }
  return false;
}

/** Runs one vitest; its output lines carry `label` when groups interleave. Resolves to its counts. */
function vitest(label, args) {
  const out = join(dir, `${label || "all"}.json`);
  const child = spawn(
    "npx",
    ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...args],
    { cwd: ROOT, stdio: label ? ["ignore", "pipe", "pipe"] : "inherit" },
  );
  if (label)
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on("line", (l) => console.log(`[${label}] ${l}`));
  return new Promise((done) =>
    child.on("close", (code) => {
      const counts = { passed: 0, failed: 1, skipped: 0, code: code ?? 1 };
      if (existsSync(out)) {
        const r = JSON.parse(readFileSync(out, "utf8"));
        counts.passed = r.numPassedTests;
        // A file that failed to load has no tests: count it, so the line cannot say 0 failed.
        counts.failed = r.numFailedTests + (code && !r.numFailedTests ? 1 : 0);
        counts.skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
      }
      done(counts);
    }),
  );
}

// The commands the specs start load dist/bundle/: bundled again here (about a second), from the
// sources, so a run after `npx tsc` alone never tests an older bundle than the code.
execFileSync(process.execPath, [join(ROOT, "scripts/bundle.mjs")], { stdio: "inherit" });

const given = process.argv.slice(2);
let runs;
if (given.some((a) => a.startsWith("-"))) runs = [vitest("", given)];
else {
  const groups = { sandbox: [], ceph: [], host: [] };
  for (const f of specsIn(join(ROOT, "spec"))) {
    const rel = relative(ROOT, f);
    if (given.length && !given.some((g) => rel.includes(g))) continue;
    groups[reachesSandbox(f) ? "sandbox" : rel.startsWith("spec/ceph/") ? "ceph" : "host"].push(rel);
  }
  runs = Object.entries(groups)
    .filter(([, files]) => files.length)
    .map(([label, files]) => vitest(label, files));
}
if (!runs.length) {
  console.error(`no spec file matches ${given.join(" ")}`);
  console.log("0 passed, 1 failed, 0 skipped");
  process.exit(1);
}
const all = await Promise.all(runs);
const sum = (k) => all.reduce((s, r) => s + r[k], 0);
console.log(`${sum("passed")} passed, ${sum("failed")} failed, ${sum("skipped")} skipped`);
process.exit(all.some((r) => r.code !== 0) ? all.find((r) => r.code !== 0).code : 0);
