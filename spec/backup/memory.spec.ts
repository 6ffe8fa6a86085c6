// Memory stays flat as data grows: a stream larger than the limit goes through the real pipeline
// with peak RSS under 200 MB.
import { expect, inject, test } from "vitest";
import { measureMemory } from "../../bench/memory.js";

// 256 MiB is past the 200 MB limit, so a job that held the whole stream, or every part it sent,
// would go over it; a larger stream proves nothing more and costs minutes (BENCH_GIB=4 shows the
// figure stays flat as data grows).
const GIB = Number(process.env.BENCH_GIB ?? "0.25");

test(`a ${GIB} GiB generated stream uploads with the job's peak RSS under 200 MB (figures printed)`, async () => {
  const f = await measureMemory(inject("s3"), Math.round(GIB * 2 ** 30));
  console.log(`memory: ${JSON.stringify(f)}`);
  expect(f.exitCode).toBe(0);
  expect(f.jobPeakMiB).toBeGreaterThan(0);
  expect(f.jobPeakMiB).toBeLessThan(200);
}, 600_000);
