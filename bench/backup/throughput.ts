// The backup throughput benchmark: every variant (bench/backup/variants.ts) on both sources, in
// interleaved rounds (the order turns each round, so no variant always follows the same one),
// against each endpoint. Each run is timed and its process tree sampled (bench/proc.ts); the
// endpoint's own CPU is read around it; the objects it stored are counted and deleted.
import { DeleteObjectsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { testS3Client } from "../../spec/support/s3-server.js";
import { cpuSeconds, watchTree, type ProgramCost } from "../proc.js";
import { startEndpoint, type Endpoint } from "../services.js";
import { load } from "../stats.js";
import { timed } from "../timed.js";
import { backupTables } from "./report.js";
import { BUCKET, ensureAwsCli, prepareSources, variantEnv } from "./sources.js";
import { VARIANTS, type Source, type Variant } from "./variants.js";

export interface Sample {
  s: number;
  costs: Record<string, ProgramCost>;
  /** CPU seconds the endpoint spent during the run. */
  endpointCpuS: number;
  /** CPU seconds the MariaDB server spent during the run (it serves the dump: part of its cost). */
  serverCpuS: number;
  /** Largest total size of the files in the variant's working directory at any sample. */
  tempPeakBytes: number;
  /** Bytes of the objects it stored (manifests aside). */
  uploadedBytes: number;
}

/** Samples by "SOURCE VARIANT ENDPOINT" ("-" for a variant that sends nothing). */
export type Samples = Record<string, Sample[]>;

export const sampleKey = (source: Source["kind"], variant: string, endpoint = "-") =>
  `${source} ${variant} ${endpoint}`;

function dirBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) n += statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0;
  return n;
}

/** Counts what the run stored on the endpoint, manifests aside, and deletes it. */
async function collectUploads(ep: Endpoint, sinkSeen: Set<string>): Promise<number> {
  if (ep.kind === "sink") {
    const objects = (await (await fetch(`${ep.info.endpoint}/_sink/objects`)).json()) as Record<string, number>;
    let n = 0;
    for (const [key, bytes] of Object.entries(objects))
      if (!sinkSeen.has(key)) {
        sinkSeen.add(key);
        if (!key.endsWith(".manifest.json")) n += bytes;
      }
    return n;
  }
  const client = testS3Client(ep.info);
  const listed = (await client.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? [];
  if (listed.length)
    await client.send(
      new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: listed.map((o) => ({ Key: o.Key! })) } }),
    );
  return listed.filter((o) => !o.Key!.endsWith(".manifest.json")).reduce((n, o) => n + (o.Size ?? 0), 0);
}

async function runVariant(
  root: string,
  serverPid: number,
  v: Variant,
  source: Source,
  ep: Endpoint | undefined,
  sinkSeen: Set<string>,
): Promise<Sample> {
  const work = mkdtempSync(join(root, "work-"));
  const key = `bench/${source.kind}-${v.id}-${Date.now()}`;
  const argv = v.argv(source, { url: ep?.info.endpoint ?? "", bucket: BUCKET, key, work });
  const cpu0 = ep ? cpuSeconds(ep.pid) : NaN;
  const server0 = cpuSeconds(serverPid);
  // Timed inside the tree it runs in, not from here (bench/timed.ts).
  const t = timed(argv, root);
  const child = spawn(t.argv[0], t.argv.slice(1), {
    cwd: work,
    env: variantEnv(work),
    stdio: ["ignore", "ignore", "pipe"],
  });
  const watch = watchTree(child.pid!);
  let tempPeakBytes = 0;
  const disk = setInterval(() => (tempPeakBytes = Math.max(tempPeakBytes, dirBytes(work))), 100);
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  const s = t.seconds();
  clearInterval(disk);
  const costs = watch.stop();
  const endpointCpuS = ep ? cpuSeconds(ep.pid) - cpu0 : 0;
  const serverCpuS = cpuSeconds(serverPid) - server0;
  rmSync(work, { recursive: true, force: true });
  if (code !== 0) throw new Error(`${source.kind} ${v.id} ${ep?.kind ?? ""} exited ${code}:\n${stderr}`);
  const uploadedBytes = ep ? await collectUploads(ep, sinkSeen) : 0;
  // A variant that exited 0 but stored nothing would make a fast and meaningless figure.
  if (ep && uploadedBytes === 0) throw new Error(`${source.kind} ${v.id} ${ep.kind} exited 0 but stored no object`);
  return { s, costs, endpointCpuS, serverCpuS, tempPeakBytes, uploadedBytes };
}

export interface ThroughputOptions {
  mb: number;
  rounds: number;
  /** "s3rver", "sink", or both. */
  endpoints: string[];
  /** Ids of the variants to run (bench/backup/variants.ts); all when undefined. */
  variants?: string[];
  socket: string;
}

/** Generates the data, runs every variant in interleaved rounds, and returns the samples and the tables. */
export async function backupThroughput(o: ThroughputOptions) {
  ensureAwsCli();
  const root = mkdtempSync(join(tmpdir(), "bench-backup-"));
  const endpoints: Endpoint[] = [];
  try {
    console.error(`backup: generating about ${o.mb} MB of each source in ${root}`);
    const sources = prepareSources(root, o.socket, o.mb);
    // The server's pid file sits beside its socket (spec/support/mariadb.ts).
    const serverPid = Number(readFileSync(join(dirname(o.socket), "mysqld.pid"), "utf8").trim());
    for (const kind of o.endpoints) endpoints.push(await startEndpoint(kind as Endpoint["kind"], [BUCKET]));
    const samples: Samples = {};
    const sinkSeen = new Set<string>();
    const loadBefore = load();
    const chosen = VARIANTS.filter((v) => !o.variants || o.variants.includes(v.id));
    for (let round = 0; round < o.rounds; round++) {
      const turn = round % chosen.length;
      const order = [...chosen.slice(turn), ...chosen.slice(0, turn)];
      for (const source of sources)
        for (const v of order)
          for (const ep of v.uploads ? endpoints : [undefined]) {
            const sample = await runVariant(root, serverPid, v, source, ep, sinkSeen);
            (samples[sampleKey(source.kind, v.id, ep?.kind)] ??= []).push(sample);
            // Memory and disk go in the line too: a run stopped before its tables still leaves them.
            const peaks = Object.entries(sample.costs)
              .sort((a, b) => b[1].peakMiB - a[1].peakMiB)
              .slice(0, 3)
              .map(([name, c]) => `${name} ${c.peakMiB.toFixed(0)}`)
              .join(", ");
            console.error(
              `  round ${round + 1}: ${source.kind} ${v.id} ${ep?.kind ?? ""} ${sample.s.toFixed(1)} s` +
                ` (peak RSS MiB: ${peaks}; temp ${(sample.tempPeakBytes / 1e6).toFixed(0)} MB; load ${load()})`,
            );
          }
    }
    const loads = [loadBefore, load()];
    const meta = sources.map((s) => ({
      kind: s.kind,
      rawBytes: s.rawBytes,
      compressedBytes: statSync(s.compressedFile).size,
    }));
    return {
      figures: { rounds: o.rounds, load: loads, sources: meta, samples },
      tables: backupTables(meta, samples, o.endpoints, o.rounds, loads),
    };
  } finally {
    for (const ep of endpoints) await ep.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
