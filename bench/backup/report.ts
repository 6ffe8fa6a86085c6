// The backup tables, as Markdown: throughput against each endpoint with the ratios the targets
// are stated in, every stage alone, and what each way costs in memory, CPU and disk.
import { availableParallelism } from "node:os";
import { MB, megabytes, ratio, secs, secsRange, summarize, table, type Summary } from "../stats.js";
import type { Sample, Samples } from "./throughput.js";
import { sampleKey } from "./throughput.js";
import { VARIANTS } from "./variants.js";

interface SourceMeta {
  kind: "database" | "files";
  rawBytes: number;
  compressedBytes: number;
}

const STAGES = ["producer", "compressor", "producer+compressor"];
const label = (id: string) => VARIANTS.find((v) => v.id === id)?.label ?? id;

function times(samples: Samples, key: string): Summary {
  return summarize((samples[key] ?? []).map((x) => x.s));
}

/** "18.7 s (17.9-19.5), 33 MB/s" */
function speed(t: Summary, bytes: number): string {
  return t.n ? `${secsRange(t)}, ${(bytes / MB / t.median).toFixed(0)} MB/s` : "-";
}

/** Programs by name with one figure each, largest first: "node 150, zstd 61". */
function perProgram(
  xs: Sample[],
  pick: (c: Sample["costs"][string]) => number,
  reduce: (v: number[]) => number,
  digits: number,
): string {
  const names = new Set(xs.flatMap((x) => Object.keys(x.costs)));
  const rows = [...names].map((n) => [n, reduce(xs.map((x) => (x.costs[n] ? pick(x.costs[n]) : 0)))] as const);
  return rows
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([n, v]) => `${n} ${v.toFixed(digits)}`)
    .join(", ");
}

/** The slowest of the stages measured alone (the limit a streaming backup can reach), with its name. */
function slowest(samples: Samples, kind: string, endpoint: string): { t: Summary; what: string } {
  const candidates = [
    ...STAGES.map((id) => sampleKey(kind as SourceMeta["kind"], id)),
    sampleKey(kind as SourceMeta["kind"], "upload-aws", endpoint),
  ];
  let best = { t: summarize([]), what: "-" };
  for (const key of candidates) {
    const t = times(samples, key);
    if (t.n && !(t.median <= best.t.median)) best = { t, what: label(key.split(" ")[1]) };
  }
  return best;
}

/** CPU seconds of one run: every program it started, the endpoint and the MariaDB server. */
const runCpuS = (x: Sample) => Object.values(x.costs).reduce((n, c) => n + c.cpuS, 0) + x.endpointCpuS + x.serverCpuS;

/**
 * The other limit, on a machine with few cores: the CPU the stages need between them (producer
 * and compressor together, then the upload alone, medians) spread over every core. No backup that
 * runs the same stages can finish sooner, however well it overlaps them.
 */
function cpuLimit(samples: Samples, kind: SourceMeta["kind"], endpoint: string): number {
  const med = (key: string) => summarize((samples[key] ?? []).map(runCpuS)).median;
  // NaN (shown as "-") when either was not measured.
  return (
    (med(sampleKey(kind, "producer+compressor")) + med(sampleKey(kind, "upload-aws", endpoint))) /
    availableParallelism()
  );
}

export function backupTables(
  sources: SourceMeta[],
  samples: Samples,
  endpoints: string[],
  rounds: number,
  loads: string[],
): [string, string][] {
  const out: [string, string][] = [];
  const about = `medians of ${rounds} interleaved rounds (min-max), load ${loads.join(" -> ")}`;
  for (const ep of endpoints) {
    const rows = sources.map((s) => {
      const [job, pipe, seed] = ["job", "pipeline", "seed"].map((id) => times(samples, sampleKey(s.kind, id, ep)));
      const limit = slowest(samples, s.kind, ep);
      const cpu = cpuLimit(samples, s.kind, ep);
      return [
        `${s.kind} (${megabytes(s.rawBytes)}, ${megabytes(s.compressedBytes)} compressed)`,
        speed(job, s.rawBytes),
        speed(pipe, s.rawBytes),
        speed(seed, s.rawBytes),
        `${limit.what}: ${secsRange(limit.t)}`,
        secs(cpu),
        ratio(pipe.median, job.median),
        ratio(seed.median, job.median),
        ratio(job.median, limit.t.median),
        ratio(job.median, Math.max(limit.t.median, cpu || 0)),
      ];
    });
    out.push([
      `Backup throughput against ${ep} on loopback (${about})`,
      table(
        [
          "source",
          "`s3-backup run`",
          "shell pipeline",
          "seed's way",
          "slowest stage alone",
          `stages' CPU / ${availableParallelism()} cores`,
          "job / pipeline speed",
          "job / seed speed",
          "job time / slowest stage",
          "job time / larger limit",
        ],
        rows,
      ),
    ]);
  }
  const stageIds = [
    ...STAGES.map((id) => [id, "-"]),
    ...endpoints.flatMap((ep) => [
      ["upload-aws", ep],
      ["upload-job", ep],
    ]),
  ];
  out.push([
    `Each stage alone (${about})`,
    table(
      ["stage", ...sources.map((s) => s.kind)],
      stageIds.map(([id, ep]) => [
        `${label(id)}${ep === "-" ? "" : `, ${ep}`}`,
        ...sources.map((s) => speed(times(samples, sampleKey(s.kind, id, ep)), s.rawBytes)),
      ]),
    ),
  ]);
  const costRows = sources.flatMap((s) =>
    endpoints.flatMap((ep) =>
      ["job", "pipeline", "seed", "upload-job"].map((id) => {
        const xs = samples[sampleKey(s.kind, id, ep)] ?? [];
        const med = (v: number[]) => summarize(v).median;
        return [
          s.kind,
          `${label(id)}, ${ep}`,
          perProgram(
            xs,
            (c) => c.peakMiB,
            (v) => Math.max(...v),
            0,
          ),
          perProgram(xs, (c) => c.cpuS, med, 1),
          xs.length ? med(xs.map((x) => x.endpointCpuS)).toFixed(1) : "-",
          xs.length && s.kind === "database" ? med(xs.map((x) => x.serverCpuS)).toFixed(1) : "-",
          megabytes(Math.max(0, ...xs.map((x) => x.tempPeakBytes))),
          megabytes(med(xs.map((x) => Object.values(x.costs).reduce((n, c) => n + c.writtenBytes, 0)))),
        ];
      }),
    ),
  );
  out.push([
    `What each way costs (peak RSS: the largest of ${rounds} rounds; CPU and disk: medians)`,
    table(
      [
        "source",
        "way, endpoint",
        "peak RSS, MiB",
        "CPU s",
        "endpoint CPU s",
        "MariaDB CPU s",
        "temp files, peak",
        "written to disk",
      ],
      costRows,
    ),
  ]);
  return out;
}
