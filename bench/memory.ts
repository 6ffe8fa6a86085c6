// Memory benchmark: `s3-backup run` streams a generated 1 GiB producer output through zstd into
// an S3 endpoint, while the job's process tree is sampled for its peak RSS (VmHWM).
// Run through vitest (it starts the S3 endpoint): see bench/README.md.
import { createBucket, type S3Info } from "../spec/support/s3-server.js";
import { fakeBin, jobConfig, runCli, tempDir, writeConfig } from "../spec/backup/helpers.js";
import { watchTree, type ProgramCost } from "./proc.js";

export interface MemoryFigures {
  bytes: number;
  seconds: number;
  exitCode: number | null;
  /** Peak resident set of the s3-backup node process. */
  jobPeakMiB: number;
  /** Peak of each child (producer, zstd) seen while sampling. */
  childPeakMiB: Record<string, number>;
}

/** Backs up `bytes` of generated data and reports peak memory. */
export async function measureMemory(s3: S3Info, bytes = 2 ** 30): Promise<MemoryFigures> {
  const bucket = await createBucket(s3, "bench");
  // The producer: a tar stand-in writing incompressible generated data (worst case for parts).
  const bin = fakeBin({ tar: `head -c ${bytes} /dev/urandom` });
  const cfg = writeConfig(jobConfig(s3, bucket, { compression: "zstd", assets: [tempDir("bench-src-")] }));
  let watch: { stop(): Record<string, ProgramCost> } | undefined;
  const t0 = Date.now();
  const r = await runCli(["run", "--config", cfg], {
    env: { PATH: `${bin}:${process.env.PATH}` },
    onSpawn: (pid) => (watch = watchTree(pid, 25)),
  });
  const { node, ...children } = watch!.stop();
  return {
    bytes,
    seconds: (Date.now() - t0) / 1000,
    exitCode: r.code,
    jobPeakMiB: node?.peakMiB ?? 0,
    childPeakMiB: Object.fromEntries(Object.entries(children).map(([k, v]) => [k, v.peakMiB])),
  };
}
