// 100 pairs of runs of one backup started together: exactly one of each pair runs. The winner's
// first upload is held at the proxy until the other process has exited, so the two always
// overlap however slowly either starts; if both went ahead, both uploads would be held, released
// after 20 s, and two manifests would show it. The loser exits 1 at once, naming the winner.
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy.js";
import { createBucket } from "../support/s3-server.js";
import { assetOf, bucketState, faultConfig, strayState } from "./fault-helpers.js";
import { runCli, writeConfig, type CliResult } from "./helpers.js";

const s3 = inject("s3");
const PAIRS = Number(process.env.S3B_PAIRS ?? 100);
/** Pairs in flight at once: each is two node processes. */
const AT_ONCE = 3;
let proxy: FaultProxy;
let asset: string;
let bucket: string;
/** prefix of a pair -> resolved when one of its two processes has exited. */
const decided = new Map<string, Promise<void>>();

beforeAll(async () => {
  asset = assetOf(4096, "c");
  bucket = await createBucket(s3);
  proxy = await startFaultProxy(s3.endpoint, (r) => {
    const prefix = r.path.split("/")[2];
    const until = decided.get(prefix);
    if (!until || r.manifest) return { do: "pass" };
    const timeout = new Promise((resolve) => setTimeout(resolve, 20_000));
    return { do: "hold", until: Promise.race([until, timeout]) };
  });
});
afterAll(() => proxy.close());

async function pair(n: number): Promise<{ winner: CliResult; loser: CliResult }> {
  const prefix = `pair-${n}`;
  const config = faultConfig(s3, bucket, proxy.endpoint, { assets: [asset] }, { run: 60, connect: 5, idle: 30 });
  config.s3.prefix = `${prefix}/`;
  const cfg = writeConfig(config);
  let firstExit!: () => void;
  decided.set(prefix, new Promise<void>((resolve) => (firstExit = resolve)));
  const runs = [0, 1].map(() => runCli(["run", "--config", cfg]).finally(() => firstExit()));
  const [a, b] = await Promise.all(runs);
  expect(strayState(config.state_dir)).toEqual([]);
  return a.code === 0 ? { winner: a, loser: b } : { winner: b, loser: a };
}

test(`${PAIRS} pairs of runs started together: exactly one of each pair runs`, async () => {
  const results: { winner: CliResult; loser: CliResult }[] = [];
  for (let n = 0; n < PAIRS; n += AT_ONCE)
    results.push(...(await Promise.all(Array.from({ length: Math.min(AT_ONCE, PAIRS - n) }, (_, i) => pair(n + i)))));
  for (const { winner, loser } of results) {
    expect(winner.code).toBe(0);
    expect(loser.code).toBe(1);
    expect(loser.stderr).toContain(`another run of backup "shop" is in progress (pid ${winner.pid},`);
  }
  const state = await bucketState(s3, bucket);
  expect(state.manifests).toHaveLength(PAIRS);
  expect(state.objects.size).toBe(PAIRS);
  console.log(`concurrency: ${PAIRS} pairs, ${results.filter((r) => r.winner.code === 0).length} single runs`);
}, 900_000);
