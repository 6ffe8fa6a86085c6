// Runs the whole suite with vitest and prints the plain closing line CI reads
// ("N passed, N failed, N skipped"), keeping vitest's exit code.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const out = join(mkdtempSync(join(tmpdir(), "vitest-")), "report.json");
const args = [
  "vitest",
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${out}`,
  ...process.argv.slice(2),
];
const run = spawnSync("npx", args, { stdio: "inherit" });
let line = "0 passed, 1 failed, 0 skipped";
if (existsSync(out)) {
  const r = JSON.parse(readFileSync(out, "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  line = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`;
}
console.log(line);
process.exit(run.status ?? 1);
