// `s3-backup status` against the S3 endpoint, over a small fleet: one fresh backup, one stale,
// one whose last run failed an item, one with a run planted under a future date. Runs are real
// where a real run can show it; the stale and the planted ones are written the way an old run
// (or a compromised host) leaves them, and the store's clock for an old one is set back on disk
// (s3rver takes LastModified from the file's mtime), since S3 cannot be asked to have received
// something three days ago.
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { utcDay } from "../../backup/keys.js";
import { statusCommand } from "../../backup/status-command.js";
import { parseDuration } from "../../backup/status.js";
import { createBucket, testS3Client, type S3Info } from "../support/s3-server.js";
import { fakeBin, jobConfig, oldRun, operatorEnv, plantRun, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");
const DAY = 86_400_000;

/** A real `s3-backup run` of backup `name` on `host` over one small directory; env for a fake tar. */
async function realRun(bucket: string, host: string, name: string, assets: string[] = [], env = {}) {
  const src = tempDir("s3b-status-src-");
  writeFileSync(join(src, "index.html"), `${host}\n`);
  const cfg = writeConfig(jobConfig(s3, bucket, { name, host, assets: [src, ...assets], compression: "none" }));
  return { cfg, result: await runCli(["run", "--config", cfg], { env }) };
}

const status = (...args: string[]) => runCli(["status", ...args], { env: operatorEnv(s3) });

describe("s3-backup status over a fleet", () => {
  let bucket: string;
  let cfg: string;
  let planted: string;

  beforeAll(async () => {
    bucket = await createBucket(s3);
    const broken = join(tempDir("s3b-status-broken-"), "broken");
    const tar = fakeBin({
      tar: `for a; do last="$a"; done
case "$last" in *broken) echo "tar: simulated read error" >&2; exit 2;; esac
exec /usr/bin/tar "$@"`,
    });
    const runs = await Promise.all([
      realRun(bucket, "web1", "shop"),
      realRun(bucket, "web4", "wiki"),
      realRun(bucket, "web3", "site", [broken], { PATH: `${tar}:${process.env.PATH}` }),
    ]);
    expect(runs.map((r) => r.result.code)).toEqual([0, 0, 1]);
    cfg = runs[0].cfg;
    await oldRun(s3, bucket, "web3", "site", 1);
    await oldRun(s3, bucket, "web2", "shop", 3);
    // What a compromised web1 could write with the job's key: a run dated 2099, to be taken as newest.
    planted = await plantRun(s3, bucket, {
      day: "2099-01-01",
      finishedAt: "2099-01-01T02:00:00.000Z",
      host: "web1",
      backup: "shop",
      objects: [],
    });
  }, 60_000);

  test("one line per host and backup; stale, failed and planted ones named; exit 2 (CRITICAL)", async () => {
    const r = await status("--config", cfg, "--max-age", "26h");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(2);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^S3-BACKUP CRITICAL - 4 backups: 1 ok, 1 stale, 1 failed, 1 suspect \| /);
    expect(lines[0]).toMatch(/'web2\/shop'=2592\d\ds;;93600;0;/);
    expect(lines).toHaveLength(5);
    const [web1, web2, web3, web4] = lines.slice(1);
    // The planted run is flagged, and the real run stays the last complete one.
    expect(web1).toMatch(/^SUSPECT web1\/shop: last complete \S+ \(\d+s ago, max 26h\), 1 objects, /);
    expect(web1).not.toContain("2099-01-01T");
    expect(web1).toContain("suspect manifest s3://");
    expect(web1).toContain("daily/2099-01-01/web1/shop--…");
    expect(web1).toContain("its key is dated 2099-01-01 but S3 received it");
    expect(web2).toMatch(/^STALE web2\/shop: last complete \S+ \(3d ago, max 26h\), 1 objects, 4 B; /);
    expect(web2).toContain("last complete run is older than 26h");
    expect(web3).toMatch(/^FAILED web3\/site: last complete \S+ \(2[34]h( \d+m)? ago, max 26h\), 1 objects, /);
    expect(web3).toMatch(/failed in the last run \S+: \S*broken \(tar exited 2/);
    expect(web4).toMatch(/^OK web4\/wiki: last complete \S+ \(\d+s ago, max 26h\), 1 objects, \d+(\.\d)? KiB$/);
    // Nothing of a key's random part reaches the output.
    expect(r.stdout).not.toContain(planted.slice(planted.lastIndexOf("--") + 2, -".manifest.json".length));
  });

  test("--host and --name narrow it; a per-backup --max-age overrides the default", async () => {
    const [one, loose, byName, plain, none] = await Promise.all([
      status("--config", cfg, "--host", "web4", "--max-age", "26h"),
      status("--config", cfg, "--name", "shop", "--host", "web2", "--max-age", "26h", "--max-age", "web2/shop=4d"),
      status("--config", cfg, "--name", "shop", "--max-age", "shop=2d"),
      status("--config", cfg, "--host", "web2"),
      status("--config", cfg, "--host", "web9", "--name", "shop", "--max-age", "26h"),
    ]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^S3-BACKUP OK - 1 backup: 1 ok \| 'web4\/wiki'=\d+s;;93600;0;\nOK web4\/wiki: /);

    expect(loose.code).toBe(0);
    expect(loose.stdout).toContain("OK web2/shop: last complete");
    expect(loose.stdout).toContain("max 4d");

    expect(byName.code).toBe(2);
    expect(byName.stdout.split("\n").filter((l) => / web\d\/shop: /.test(l))).toHaveLength(2);
    expect(byName.stdout).toContain("STALE web2/shop");

    // No max age: ages are reported, not judged.
    expect(plain.code).toBe(0);

    expect(none.code).toBe(2);
    expect(none.stdout).toContain(
      `S3-BACKUP CRITICAL - no runs of backup "shop" on host web9 under s3://${bucket}/backups/`,
    );
  });

  test("--format json: one document with every backup's state, ages in seconds and failed items", async () => {
    const r = await status(
      "--bucket",
      bucket,
      "--prefix",
      "backups",
      "--endpoint",
      s3.endpoint,
      "--format",
      "json",
      "--max-age",
      "26h",
    );
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ status: "CRITICAL", exit_code: 2, bucket, prefix: "backups/" });
    const by = Object.fromEntries(doc.backups.map((b: { host: string }) => [b.host, b]));
    expect(by.web4).toMatchObject({ backup: "wiki", state: "ok", max_age_seconds: 93600, problems: [] });
    expect(by.web4.last_complete).toMatchObject({ complete: true, objects: 1 });
    expect(by.web2.state).toBe("stale");
    expect(by.web2.age_seconds).toBeGreaterThan(3 * 86400 - 60);
    expect(by.web3.state).toBe("failed");
    expect(by.web3.last_run.failed_items).toEqual([
      expect.objectContaining({
        name: expect.stringMatching(/broken$/),
        error: expect.stringContaining("tar exited 2"),
      }),
    ]);
    expect(by.web1.state).toBe("suspect");
    expect(by.web1.suspect_manifests).toHaveLength(1);
  });

  test("cannot read the bucket (no such bucket, wrong operator key): UNKNOWN, exit 3", async () => {
    const [missing, wrong] = await Promise.all([
      status("--bucket", "no-such-bucket-x", "--endpoint", s3.endpoint),
      runCli(["status", "--config", cfg], { env: { ...operatorEnv(s3), AWS_SECRET_ACCESS_KEY: "wrong-secret" } }),
    ]);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toMatch(/^S3-BACKUP UNKNOWN - cannot read s3:\/\/no-such-bucket-x\/: S3 NoSuchBucket/);
    expect(wrong.code).toBe(3);
    expect(wrong.stdout).toContain("S3-BACKUP UNKNOWN - cannot read");
    expect(wrong.stdout).not.toContain("wrong-secret");
  });

  test("bad flags are bad input (exit 2) naming the flag", async () => {
    const [r, both] = await Promise.all([
      status("--config", cfg, "--max-age", "soon"),
      status("--config", cfg, "--bucket", bucket),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--max-age soon: expected a duration");
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("give exactly one of --config FILE or --bucket B");
  });
});

describe("status lists only what it needs", () => {
  /** A client that records the keys and prefixes each listing returned. */
  function countingClient(info: S3Info) {
    const seen = { requests: 0, keys: [] as string[] };
    const client: S3Client = testS3Client(info);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === "ListObjectsV2Command") {
          seen.requests++;
          const o = out.output as { Contents?: { Key?: string }[] };
          seen.keys.push(...(o.Contents ?? []).map((c) => c.Key!));
        }
        return out;
      },
      { step: "initialize", name: "countListings" },
    );
    return { client, seen };
  }

  test("a bucket with a year of old objects: only the recent day folders are listed, page by page", async () => {
    const bucket = await createBucket(s3);
    const put = testS3Client(s3);
    // 60 old days of data objects, more than a listing page of them: status must not read them.
    for (let d = 100; d < 160; d++) {
      const day = utcDay(new Date(Date.now() - d * DAY));
      await put.send(
        new PutObjectCommand({ Bucket: bucket, Key: `backups/daily/${day}/old/x--${"A".repeat(64)}.tar`, Body: "x" }),
      );
    }
    const fresh = await oldRun(s3, bucket, "web1", "shop", 0);
    const today = fresh.slice(0, fresh.lastIndexOf("/") + 1);
    for (const n of [1, 2, 3])
      await put.send(new PutObjectCommand({ Bucket: bucket, Key: `${today}a${n}--${"B".repeat(64)}.tar`, Body: "x" }));
    const out: string[] = [];
    const { client, seen } = countingClient(s3);
    const code = await statusCommand(
      { bucket, prefix: "backups/", maxAge: ["26h"] },
      { client, out: (t) => out.push(t), pageSize: 2 },
    );
    expect(out.join("")).toMatch(/^S3-BACKUP OK - 1 backup: 1 ok/);
    expect(code).toBe(0);
    // Today's folder only, all five of its keys over three pages; not one key of the old days.
    expect(seen.keys).toHaveLength(5);
    expect(seen.keys.every((k) => k.startsWith(today))).toBe(true);
    expect(seen.requests).toBe(2 + 3);
  });
});

test("durations: 26h, 90m, 1d12h, 2w; nonsense refused", () => {
  expect(parseDuration("26h")).toBe(26 * 3600e3);
  expect(parseDuration("90m")).toBe(90 * 60e3);
  expect(parseDuration("1d12h")).toBe(36 * 3600e3);
  expect(parseDuration("2w")).toBe(14 * DAY);
  for (const bad of ["", "26", "h", "1.5h", "-1h", "0s", "1y"]) expect(parseDuration(bad)).toBeUndefined();
});
