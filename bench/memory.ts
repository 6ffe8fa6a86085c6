// Memory benchmark: `s3-backup run` streams a generated 1 GiB producer output through zstd into
// an S3 endpoint, while this script samples the peak RSS (VmHWM) of the job and its children.
// Run through vitest (it starts the S3 endpoint): see bench/README.md.
import { readFileSync, readdirSync } from "node:fs";
import { createBucket, type S3Info } from "../spec/support/s3-server.js";
import { fakeBin, jobConfig, runCli, tempDir, writeConfig } from "../spec/backup/helpers.js";

export interface MemoryFigures {
  bytes: number;
  seconds: number;
  exitCode: number | null;
  /** Peak resident set of the s3-backup node process. */
  jobPeakMiB: number;
  /** Peak of each child (producer, zstd) seen while sampling. */
  childPeakMiB: Record<string, number>;
}

function hwmKiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function children(pid: number): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m && Number(m[2]) === pid) out.push({ pid: Number(d), comm: m[1] });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Backs up `bytes` of generated data and reports peak memory. */
export async function measureMemory(s3: S3Info, bytes = 2 ** 30): Promise<MemoryFigures> {
  const bucket = await createBucket(s3, "bench");
  // The producer: a tar stand-in writing incompressible generated data (worst case for parts).
  const bin = fakeBin({ tar: `head -c ${bytes} /dev/urandom` });
  const cfg = writeConfig(jobConfig(s3, bucket, { compression: "zstd", assets: [tempDir("bench-src-")] }));
  let jobPeak = 0;
  const childPeak: Record<string, number> = {};
  let timer: NodeJS.Timeout | undefined;
  const t0 = Date.now();
  const r = await runCli(["run", "--config", cfg], {
    env: { PATH: `${bin}:${process.env.PATH}` },
    onSpawn: (pid) => {
      timer = setInterval(() => {
        jobPeak = Math.max(jobPeak, hwmKiB(pid));
        for (const c of children(pid)) childPeak[c.comm] = Math.max(childPeak[c.comm] ?? 0, hwmKiB(c.pid));
      }, 25);
    },
  });
  clearInterval(timer);
  const mib = (k: number) => Math.round(k / 1024);
  return {
    bytes,
    seconds: (Date.now() - t0) / 1000,
    exitCode: r.code,
    jobPeakMiB: mib(jobPeak),
    childPeakMiB: Object.fromEntries(Object.entries(childPeak).map(([k, v]) => [k, mib(v)])),
  };
}
