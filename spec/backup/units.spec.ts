// Keys, config errors, the lock and the lifecycle rules (the policy: spec/backup/protection.spec.ts).
import { PutBucketLifecycleConfigurationCommand, S3Client, type LifecycleRule } from "@aws-sdk/client-s3";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, test } from "vitest";
import { patternToRegExp } from "../../contract/database-entries.js";
import { objectKey, randomToken } from "../../backup/keys.js";
import { lifecycleRules, mergeRules } from "../../backup/lifecycle.js";
import { manifestProblem } from "../../backup/manifest-schema.js";
import { partPlan } from "../../backup/upload.js";
import { acquireFlock } from "../../engine/flock.js";
import { createBucket } from "../support/s3-server.js";
import { jobConfig, listKeys, ROOT, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");

describe("keys", () => {
  test("two keys made in the same second differ; RANDOM is 64 URL-safe characters", () => {
    const date = new Date("2025-03-01T02:00:00Z");
    const parts = { prefix: "p/", cls: "daily" as const, date, host: "web1", name: "srv_www", ext: "tar.zst" };
    const a = objectKey(parts);
    const b = objectKey(parts);
    expect(a).not.toBe(b);
    for (const k of [a, b]) expect(k).toMatch(/^p\/daily\/2025-03-01\/web1\/srv_www--[A-Za-z0-9_-]{64}\.tar\.zst$/);
    expect(new Set(Array.from({ length: 1000 }, randomToken)).size).toBe(1000);
  });

  test("part size grows with the expected size so any stream stays under 10,000 parts, memory bounded", () => {
    for (const size of [0, 1e6, 1e9, 1e11, 1e12, 5 * 2 ** 40]) {
      const { partSize, queueSize } = partPlan(size || undefined);
      expect(partSize).toBeGreaterThanOrEqual(5 * 2 ** 20);
      expect(Math.ceil((size * 2) / partSize)).toBeLessThan(10_000);
      expect(partSize * queueSize).toBeLessThanOrEqual(Math.max(64 * 2 ** 20, partSize));
    }
  });
});

describe("command line and config", () => {
  test.each([
    [{ s3: { bucket: "b" } }, '/s3: missing required property "region"'],
    [{ compression: "lz4" }, '/compression: must be one of "zstd", "gzip", "none"'],
    [{ retention: { daily_days: "seven" } }, "/retention/daily_days: must be integer"],
    [{ assets: ["relative/path"] }, "/assets/0: must be an absolute path"],
    [{ s3: { secret_access_key: 12345678 } }, "/s3/secret_access_key: must be string"],
    [{ colour: "blue" }, "/colour: unknown property"],
  ])("a bad config exits 2 naming the field (%j)", async (patch, message) => {
    const base = jobConfig(s3, "bucket-x", { assets: ["/etc/hostname"] }) as Record<string, unknown>;
    const merged = { ...base, ...patch, s3: { ...(base.s3 as object), ...((patch as { s3?: object }).s3 ?? {}) } };
    if ((patch as { s3?: { bucket?: string } }).s3?.bucket) delete (merged.s3 as Record<string, unknown>).region;
    const r = await runCli(["run", "--config", writeConfig(merged)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain("12345678");
  });

  test("a manifest that is not one is named by its first problem's path, its values never quoted", () => {
    const hostile = { format: "s3-backup-manifest/1", objects: [{ name: "SECRET-ISH", kind: "tape" }] };
    const problem = manifestProblem(hostile);
    expect(problem).toBe('not a valid s3-backup manifest: /: missing required property "backup"');
    const entry = manifestProblem({
      format: "s3-backup-manifest/1",
      backup: "b",
      host: "h",
      class: "daily",
      started_at: "",
      finished_at: "",
      duration_ms: 0,
      complete: true,
      objects: [{ name: "n", kind: "tape", source: "s", ok: false, compression: "none", exits: [], duration_ms: 0 }],
    });
    expect(entry).toBe('not a valid s3-backup manifest: /objects/0/kind: must be one of "files", "mysql"');
    expect(`${problem}${entry}`).not.toMatch(/SECRET|tape/);
  });

  test("invalid YAML exits 2 without quoting the line (it may hold the secret)", async () => {
    const path = join(tempDir(), "config.yml");
    writeFileSync(path, 'name: shop\ns3:\n  secret_access_key: "unterminated-TOPSECRET\n', { mode: 0o600 });
    const r = await runCli(["run", "--config", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid YAML/);
    expect(r.stderr).not.toContain("TOPSECRET");
  });

  test.each([
    [["--help"], 0],
    [["frobnicate"], 2],
    [["run", "--config", "x.yml", "--bogus"], 2],
    [["run"], 2],
    [[], 2],
  ])("s3-backup %j exits %i with usage", async (args, code) => {
    const r = await runCli(args);
    expect(r.code).toBe(code);
    expect(code === 0 ? r.stdout : r.stderr).toContain("usage: s3-backup");
  });
});

describe("lock", () => {
  test("a second run while another process holds the flock exits at once naming it; a lock file left behind is no obstacle", async () => {
    const bucket = await createBucket(s3);
    const config = jobConfig(s3, bucket, { assets: ["/etc/hostname"] });
    const lock = join(config.state_dir, "s3-backup-shop.lock");
    // What a running job leaves in the file: its pid (for messages only); flock(1) holds the lock.
    writeFileSync(lock, `${process.pid}\n`);
    const holder = spawn("flock", ["--exclusive", "--close", lock, "sleep", "60"], { stdio: "ignore" });
    // Held once a non-blocking attempt fails (however long the loaded machine takes to start flock).
    while (spawnSync("flock", ["--nonblock", lock, "true"]).status === 0) await new Promise((r) => setTimeout(r, 50));
    const cfg = writeConfig(config);
    const r = await runCli(["run", "--config", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`another run of backup "shop" is in progress (pid ${process.pid}, lock ${lock})`);
    // "At once": it did not wait for the lock, which its holder keeps for 60 s.
    expect(holder.exitCode).toBeNull();
    expect(await listKeys(s3, bucket)).toEqual([]);
    holder.kill("SIGKILL");
    await new Promise((r) => holder.once("close", r));
    // The file is still there, naming a live pid: without the flock it means nothing.
    expect(readFileSync(lock, "utf8")).toBe(`${process.pid}\n`);
    expect((await runCli(["run", "--config", cfg])).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });
  test("is taken by the flock(1) of the fixed PATH, given none of the caller's environment: a flock first on the caller's PATH never runs", async () => {
    const dir = tempDir("flock-path-");
    const marker = join(dir, "ran");
    writeFileSync(join(dir, "flock"), `#!/bin/sh\nenv > '${marker}'\nexit 0\n`);
    chmodSync(join(dir, "flock"), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path}`;
    process.env.SPEC_FLOCK_SECRET = "not-for-children";
    try {
      const held = await acquireFlock(join(dir, "lock"));
      expect(held).toBeDefined();
      expect(existsSync(marker)).toBe(false);
      // Really held: the real flock(1) cannot take it meanwhile.
      expect(spawnSync("/usr/bin/flock", ["--nonblock", join(dir, "lock"), "true"]).status).not.toBe(0);
      held!.release();
      expect(spawnSync("/usr/bin/flock", ["--nonblock", join(dir, "lock"), "true"]).status).toBe(0);
    } finally {
      process.env.PATH = path;
      delete process.env.SPEC_FLOCK_SECRET;
    }
  });
});

describe("lifecycle (a local endpoint cannot enforce lifecycle expiry: checked against the SDK's input shapes only; spec/ceph/ sees it expire)", () => {
  // Runs tsc over the SDK's types, which takes a minute on a loaded machine.
  test("lifecycle: type-checks as PutBucketLifecycleConfigurationCommandInput, serializes through the SDK, prefixes do not overlap", async () => {
    const cfg = writeConfig(
      jobConfig(
        s3,
        "my-backups",
        { assets: ["/etc"], retention: { daily_days: 9, monthly_days: 400 } },
        { prefix: "shop/" },
      ),
    );
    const r = await runCli(["lifecycle", "--config", cfg]);
    expect(r.code).toBe(0);
    const config = JSON.parse(r.stdout);

    // Compile-time: the printed JSON, as a literal, against the SDK's input type.
    const dir = tempDir("s3b-tsc-");
    const file = join(dir, "check.ts");
    writeFileSync(
      file,
      `import type { PutBucketLifecycleConfigurationCommandInput } from "${join(ROOT, "node_modules/@aws-sdk/client-s3/dist-types/index.js")}";\n` +
        `export const input: PutBucketLifecycleConfigurationCommandInput = { Bucket: "my-backups", LifecycleConfiguration: ${r.stdout} };\n`,
    );
    const tsc = spawnSync(
      process.execPath,
      [
        join(ROOT, "node_modules/typescript/bin/tsc"),
        "--noEmit",
        "--strict",
        "--skipLibCheck",
        "--module",
        "NodeNext",
        "--moduleResolution",
        "NodeNext",
        "--exactOptionalPropertyTypes",
        file,
      ],
      { encoding: "utf8" },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");

    // Run-time: the SDK serializes it to the XML API body without complaint.
    let body = "";
    const client = new S3Client({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
    client.middlewareStack.add(
      (() => async (args: { request: { body: string } }) => {
        body = args.request.body;
        throw new Error("captured");
      }) as never,
      { step: "finalizeRequest", name: "capture" },
    );
    await expect(
      client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: "my-backups", LifecycleConfiguration: config })),
    ).rejects.toThrow("captured");
    expect(body).toContain("<Prefix>shop/daily/</Prefix>");
    expect(body).toContain("<Days>9</Days>");
    expect(body).toContain("<Days>400</Days>");
    expect(body).toContain("<DaysAfterInitiation>1</DaysAfterInitiation>");

    const prefixes: string[] = config.Rules.map((x: { Filter: { Prefix: string } }) => x.Filter.Prefix);
    expect(prefixes.sort()).toEqual(["shop/daily/", "shop/monthly/"]);
    for (const a of prefixes) for (const b of prefixes) if (a !== b) expect(a.startsWith(b)).toBe(false);
  }, 240_000);
});

describe("database patterns", () => {
  test("% is the only wildcard and _ is literal, as mysql_user grants the same entry", () => {
    const re = patternToRegExp("wp_%");
    expect(["wp_blog", "wp_"].every((d) => re.test(d))).toBe(true);
    expect(["wpXblog", "shop", "xwp_blog"].some((d) => re.test(d))).toBe(false);
  });
});

// s3rver has no lifecycle API, so the merge is held here as a pure function; the Ceph suite applies it to a real bucket.
describe("lifecycle rules are matched by their exact ID", () => {
  const rules = (name: string, days: number) =>
    lifecycleRules({
      name,
      s3: { bucket: "b", region: "r", prefix: `${name}/` },
      retention: { daily_days: days, monthly_days: 10 * days },
    });
  const foreign = { ID: "s3-backup-shop-daily-by-hand", Status: "Enabled" as const, Filter: { Prefix: "x/" } };

  test.each([
    ["shop then shop-eu then shop", ["shop", "shop-eu", "shop"]],
    ["shop-eu then shop then shop-eu", ["shop-eu", "shop", "shop-eu"]],
  ])("%s: both backups keep their rules, and a rule made by hand stays", (_label, order) => {
    let bucket: LifecycleRule[] = [foreign];
    for (const [i, name] of order.entries()) bucket = mergeRules(bucket, rules(name, i + 1)).Rules!;
    const ids = bucket.map((r) => r.ID).sort();
    expect(ids).toEqual([
      "s3-backup-shop-daily",
      "s3-backup-shop-daily-by-hand",
      "s3-backup-shop-eu-daily",
      "s3-backup-shop-eu-monthly",
      "s3-backup-shop-monthly",
    ]);
    // The last apply of each wins for its own rules only.
    const last = (name: string) => order.lastIndexOf(name) + 1;
    for (const name of ["shop", "shop-eu"])
      expect(bucket.find((r) => r.ID === `s3-backup-${name}-daily`)!.Expiration!.Days).toBe(last(name));
  });
});
