// Memory stays flat as data grows: 1 GiB through the real pipeline with peak RSS under 200 MB.
import { expect, inject, test } from "vitest";
import { measureMemory } from "../../bench/memory.js";

test("a 1 GiB generated stream uploads with the job's peak RSS under 200 MB (figures printed)", async () => {
  // BENCH_GIB=4 npx vitest run spec/backup/memory.spec.ts shows the figure stays flat as data grows.
  const f = await measureMemory(inject("s3"), Math.round(Number(process.env.BENCH_GIB ?? "1") * 2 ** 30));
  console.log(`memory: ${JSON.stringify(f)}`);
  expect(f.exitCode).toBe(0);
  expect(f.jobPeakMiB).toBeGreaterThan(0);
  expect(f.jobPeakMiB).toBeLessThan(200);
}, 600_000);
