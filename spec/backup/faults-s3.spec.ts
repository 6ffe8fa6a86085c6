// S3 faults through a fault-injecting proxy in front of the real endpoint (spec/support/fault-proxy.ts).
// Transient faults (500 and 503 bursts, a connection reset mid-part or mid-PUT, slow answers):
// the run succeeds after retries and every object's SHA-256 equals its manifest entry. Permanent
// or stalled ones (403, a server that accepts and never answers, a run past its deadline): exit 1
// within the deadline naming the cause, no completed object for the failed asset, and no
// incomplete multipart upload left (ListMultipartUploads is empty). Time limits are the test
// configs' own: idle 3 s where a stall is the point, 6 s where slowness must be survived.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { startFaultProxy, type Decide, type FaultProxy } from "../support/fault-proxy.js";
import { createBucket } from "../support/s3-server.js";
import {
  assetOf,
  BIG,
  bucketState,
  expectOnlyWholeArchives,
  faultConfig,
  objectsOf,
  strayState,
} from "./fault-helpers.js";
import { runCli, writeConfig } from "./helpers.js";

const s3 = inject("s3");
let proxy: FaultProxy;
let big: string;
let small: string;

beforeAll(async () => {
  proxy = await startFaultProxy(s3.endpoint);
  big = assetOf(BIG, "big");
  small = assetOf(4096, "small");
});
afterAll(() => proxy.close());

/** The first `n` attempts of requests matching `which` get `fault`; the rest pass. */
function firstAttempts(which: (r: Parameters<Decide>[0]) => boolean, n: number, fault: ReturnType<Decide>): Decide {
  let left = n;
  return (r) => (which(r) && left-- > 0 ? fault : { do: "pass" });
}

/** How long the run took by its own clock, from its FAILED summary line. */
function runSeconds(stderr: string): number {
  const m = / objects backed up in ([\d.]+) s; failed:/.exec(stderr);
  expect(m, stderr).not.toBeNull();
  return Number(m![1]);
}

async function runThrough(decide: Decide, timeouts?: { run: number; connect: number; idle: number }) {
  const bucket = await createBucket(s3);
  const config = faultConfig(s3, bucket, proxy.endpoint, { assets: [big, small] }, timeouts);
  proxy.setDecide(decide);
  proxy.seen.length = 0; // this run's requests only
  const t = Date.now();
  const r = await runCli(["run", "--config", writeConfig(config)]);
  proxy.setDecide(() => ({ do: "pass" }));
  return { ...r, seconds: (Date.now() - t) / 1000, state: await bucketState(s3, bucket), stateDir: config.state_dir };
}

describe("transient S3 faults: the run succeeds after retries, objects match the manifest", () => {
  test.each<[string, Decide]>([
    [
      "a burst of 500s on the first requests",
      firstAttempts(() => true, 3, { do: "status", status: 500, code: "InternalError" }),
    ],
    [
      "503 SlowDown on the first attempt of every part",
      (() => {
        const tried = new Set<number>();
        return (r) => {
          if (r.kind !== "UploadPart" || tried.has(r.part!)) return { do: "pass" };
          tried.add(r.part!);
          return { do: "status", status: 503, code: "SlowDown" };
        };
      })(),
    ],
    [
      "a connection reset 1 MiB into part 2",
      firstAttempts((r) => r.kind === "UploadPart" && r.part === 2, 1, { do: "reset", afterBytes: 1 << 20 }),
    ],
    [
      "a connection reset during a single PutObject",
      firstAttempts((r) => r.kind === "PutObject" && !r.manifest, 1, { do: "reset", afterBytes: 1024 }),
    ],
    ["every answer 1.5 s late (under timeouts.idle)", () => ({ do: "delay", ms: 1500 })],
  ])(
    "%s",
    async (_label, decide) => {
      // Room for a loaded machine: an 8 MiB part's answer may take a while to come back.
      const r = await runThrough(decide, { run: 60, connect: 5, idle: 6 });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.state.manifests).toHaveLength(1);
      expect(r.state.manifests[0].complete).toBe(true);
      expect(r.state.objects.size).toBe(2);
      expectOnlyWholeArchives(r.state, [big, small]);
      expect(r.state.incomplete).toEqual([]);
      expect(strayState(r.stateDir)).toEqual([]);
      // The fault was really met, in this run.
      expect(proxy.seen.some((s) => s.fault !== "pass")).toBe(true);
      // Every request that makes an object appear is create-only; every create is owner-readable.
      const creating = proxy.seen.filter((s) => s.kind === "PutObject" || s.kind === "CompleteMultipartUpload");
      expect(creating.map((s) => s.kind)).toContain("CompleteMultipartUpload");
      for (const s of creating) expect(s.rules.ifNoneMatch, `${s.kind} ${s.path}`).toBe("*");
      for (const s of proxy.seen.filter((q) => q.kind === "PutObject" || q.kind === "CreateMultipartUpload"))
        expect(s.rules.acl, `${s.kind} ${s.path}`).toBe("bucket-owner-full-control");
    },
    120_000,
  );
});

describe("permanent or stalled S3 faults: exit 1 within the deadline naming the cause, nothing half-done left", () => {
  test.each<[string, Decide, RegExp]>([
    [
      "403 AccessDenied on a part",
      (r) => (r.kind === "UploadPart" ? { do: "status", status: 403, code: "AccessDenied" } : { do: "pass" }),
      /FAILED \S*big.*S3 AccessDenied HTTP 403.*not allowed/,
    ],
    [
      "a server that accepts parts and never answers",
      (r) => (r.kind === "UploadPart" && r.part! >= 2 ? { do: "hang" } : { do: "pass" }),
      /FAILED \S*big.*the S3 endpoint stopped answering/,
    ],
    [
      "a server that accepts every request and never answers",
      () => ({ do: "hang" }),
      /FAILED \S*big.*the S3 endpoint stopped answering/,
    ],
  ])(
    "%s",
    async (_label, decide, cause) => {
      const r = await runThrough(decide);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(cause);
      expect(runSeconds(r.stderr)).toBeLessThan(30);
      expect(objectsOf(r.state, big)).toEqual([]);
      expect(r.state.incomplete).toEqual([]);
      expectOnlyWholeArchives(r.state, [big, small]);
      expect(strayState(r.stateDir)).toEqual([]);
    },
    120_000,
  );

  test("a 412 on a create-only PUT (an object already at that key) fails that asset, naming the refused overwrite", async () => {
    const r = await runThrough((q) =>
      q.kind === "PutObject" && !q.manifest
        ? { do: "status", status: 412, code: "PreconditionFailed" }
        : { do: "pass" },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /FAILED \S*small.*an object already exists at that key, and the create-only upload \(If-None-Match: \*\) was refused/,
    );
    expect(objectsOf(r.state, small)).toEqual([]);
    expect(r.state.incomplete).toEqual([]);
    expectOnlyWholeArchives(r.state, [big, small]);
    expect(strayState(r.stateDir)).toEqual([]);
  }, 120_000);

  test("a run past its deadline stops the stalled upload, aborts it and names the stage", async () => {
    // idle longer than the run: only the deadline can end this.
    const r = await runThrough((q) => (q.kind === "UploadPart" && q.part === 2 ? { do: "hang" } : { do: "pass" }), {
      run: 15,
      connect: 2,
      idle: 60,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /FAILED \S*big.*stopped at the run's deadline \(timeouts.run = 15 s\); the upload stage had not finished/,
    );
    expect(r.stderr).toMatch(/FAILED \S*small.*not attempted: stopped at the run's deadline/);
    // The deadline counts from the lock, and the SDK loads after it: the summary's time (from
    // once it loaded) is under 15 s, and the process's over 13, however long loading took.
    expect(r.seconds).toBeGreaterThan(13);
    expect(runSeconds(r.stderr)).toBeLessThan(15);
    expect(objectsOf(r.state, big)).toEqual([]);
    expect(r.state.incomplete).toEqual([]);
    // What the run did is on record: a manifest that says it is incomplete.
    expect(r.state.manifests.map((m) => m.complete)).toEqual([false]);
    expect(strayState(r.stateDir)).toEqual([]);
  }, 120_000);
});
