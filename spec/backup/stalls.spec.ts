// A stage that stops moving fails its asset (timeouts.idle), or the run at its deadline
// (timeouts.run), naming the stage: connect (a database server that accepts and never answers),
// producer and compressor (stand-ins on PATH that never write or never read, the one place a
// real program cannot be made to stall on demand). The upload stage: faults-s3.spec.ts.
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { createBucket } from "../support/s3-server.js";
import { assetOf, bucketState, objectsOf, strayState } from "./fault-helpers.js";
import { cnf, fakeBin, jobConfig, runCli, writeConfig } from "./helpers.js";

const s3 = inject("s3");
let silent: Server;
let port = 0;
const sockets: Socket[] = [];

beforeAll(async () => {
  // A "database server" that accepts connections and never says a word.
  silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  port = (silent.address() as { port: number }).port;
});
afterAll(() => {
  for (const s of sockets) s.destroy();
  silent.close();
});

async function run(extra: Record<string, unknown>, timeouts: object, env: Record<string, string> = {}) {
  const bucket = await createBucket(s3);
  const config = jobConfig(s3, bucket, { timeouts, ...extra });
  const r = await runCli(["run", "--config", writeConfig(config)], { env });
  expect(strayState(config.state_dir)).toEqual([]);
  return { ...r, state: await bucketState(s3, bucket) };
}

describe("stalls are named by stage", () => {
  test("producer: tar that never writes fails its asset after timeouts.idle; the next asset is backed up", async () => {
    const [stuck, fine] = [assetOf(1024, "stuck"), assetOf(1024, "fine")];
    const bin = fakeBin({ tar: `case "$*" in *stuck*) exec sleep 60;; esac; exec /usr/bin/tar "$@"` });
    const r = await run(
      { assets: [stuck, fine] },
      { run: 60, connect: 2, idle: 2 },
      { PATH: `${bin}:${process.env.PATH}` },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED \S*stuck.*producer stalled: tar moved no data for \d+ s \(timeouts.idle\)/);
    expect(objectsOf(r.state, stuck)).toEqual([]);
    expect(objectsOf(r.state, fine)).toHaveLength(1);
    expect(r.state.incomplete).toEqual([]);
  }, 120_000);

  test("compressor: zstd that never reads fails its asset after timeouts.idle", async () => {
    const asset = assetOf(2 * 1024 * 1024, "big");
    const bin = fakeBin({ zstd: "exec sleep 60" });
    const r = await run({ assets: [asset] }, { run: 60, connect: 2, idle: 2 }, { PATH: `${bin}:${process.env.PATH}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED \S*big.*compressor stalled: the compressor moved no data for \d+ s/);
    expect(objectsOf(r.state, asset)).toEqual([]);
  }, 120_000);

  test("connect: a database server that never answers fails the databases after timeouts.connect; the files are backed up", async () => {
    const files = assetOf(1024, "files");
    const defaults = cnf(["user=u", "password=p", "host=127.0.0.1", `port=${port}`]);
    const r = await run(
      { assets: [files], mysql: { defaults_file: defaults, databases: ["shopdb"] } },
      { run: 60, connect: 2, idle: 2 },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the database server: ERROR \d+/);
    expect(r.stderr).toMatch(/FAILED shopdb \(shopdb\): not attempted: cannot reach the database server/);
    expect(objectsOf(r.state, files)).toHaveLength(1);
  }, 120_000);

  test("the run's deadline during the connect stage: exit 1 within it, naming the stage", async () => {
    const defaults = cnf(["user=u", "password=p", "host=127.0.0.1", `port=${port}`]);
    const r = await run(
      { assets: [assetOf(1024, "files")], mysql: { defaults_file: defaults, databases: ["shop_%"] } },
      { run: 10, connect: 60, idle: 60 },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /stopped at the run's deadline \(timeouts.run = 10 s\) while the connect stage \(listing databases\) had not finished/,
    );
    const took = Number(/objects backed up in ([\d.]+) s/.exec(r.stderr)?.[1]);
    expect(took).toBeLessThan(10);
  }, 120_000);
});
