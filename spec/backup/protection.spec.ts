// What a compromised host may not do, checked as data on the local endpoint: the job's policy
// (IAM grammar, what it allows and denies, per store), masked keys in logs, create-only uploads,
// and the merge rules of setup and lifecycle. Enforcement by a real store: spec/ceph/.
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { describe, expect, inject, test } from "vitest";
import { whatExists } from "../../backup/catalog.js";
import { parseConfig } from "../../backup/config.js";
import { maskKeys, randomToken } from "../../backup/keys.js";
import { lifecycleRules, mergeRules } from "../../backup/lifecycle.js";
import { allSids, jobPolicy, type PolicyStatement } from "../../backup/policy.js";
import { mergePolicy } from "../../backup/setup.js";
import { createBucket, testS3Client } from "../support/s3-server.js";
import { jobConfig, runCli, tempDir, writeConfig } from "./helpers.js";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const s3 = inject("s3");

const cfgOf = (s3Extra: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  parseConfig(
    {
      name: "shop",
      s3: { bucket: "my-backups", region: "eu-west-1", prefix: "shop/", ...s3Extra },
      ...extra,
    },
    "test",
  );

// Real S3 action names (IAM's list for S3), enough to check that each wildcard means something.
const S3_ACTIONS = [
  "s3:AbortMultipartUpload",
  "s3:BypassGovernanceRetention",
  "s3:DeleteBucket",
  "s3:DeleteBucketPolicy",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:GetObject",
  "s3:GetObjectAcl",
  "s3:GetObjectVersion",
  "s3:GetBucketPolicy",
  "s3:ListBucket",
  "s3:ListBucketVersions",
  "s3:ListBucketMultipartUploads",
  "s3:ListMultipartUploadParts",
  "s3:PutAccelerateConfiguration",
  "s3:PutBucketAcl",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutBucketPolicy",
  "s3:PutBucketPublicAccessBlock",
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
  "s3:PutObject",
  "s3:PutObjectAcl",
  "s3:PutObjectLegalHold",
  "s3:PutObjectRetention",
  "s3:PutObjectTagging",
  "s3:PutObjectVersionAcl",
  "s3:PutObjectVersionTagging",
  "s3:PutReplicationConfiguration",
  "s3:RestoreObject",
];
const OPERATORS = ["StringEquals", "StringNotEquals", "StringLike", "NumericGreaterThan", "Null", "Bool"];
const KEYS =
  /^s3:(x-amz-acl|x-amz-grant-(read|write|read-acp|write-acp|full-control)|object-lock-mode|object-lock-remaining-retention-days|if-none-match|ObjectCreationOperation)$/;

const matches = (pattern: string, action: string) =>
  pattern.endsWith("*") ? action.startsWith(pattern.slice(0, -1)) : action === pattern;

/** Departures from the IAM JSON policy grammar, as far as this policy uses it. */
function grammarProblems(doc: { Version: string; Statement: PolicyStatement[] }): string[] {
  const p: string[] = [];
  if (doc.Version !== "2012-10-17") p.push("Version");
  const sids = new Set<string>();
  for (const s of doc.Statement) {
    for (const k of Object.keys(s))
      if (!["Sid", "Effect", "Principal", "Action", "Resource", "Condition"].includes(k)) p.push(`unknown ${k}`);
    if (!/^[A-Za-z0-9]+$/.test(s.Sid) || sids.has(s.Sid)) p.push(`Sid ${s.Sid}`);
    sids.add(s.Sid);
    for (const a of s.Action) if (!S3_ACTIONS.some((x) => matches(a, x))) p.push(`Action ${a}`);
    for (const r of s.Resource)
      if (!/^arn:aws:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(r)) p.push(`Resource ${r}`);
    for (const [op, kv] of Object.entries(s.Condition ?? {})) {
      if (!OPERATORS.includes(op)) p.push(`operator ${op}`);
      for (const k of Object.keys(kv)) if (!KEYS.test(k)) p.push(`key ${k}`);
    }
  }
  return p;
}

/** The effects of the statements that apply to `action` with no condition attached. */
const unconditional = (doc: { Statement: PolicyStatement[] }, effect: string, action: string) =>
  doc.Statement.filter((s) => s.Effect === effect && !s.Condition && s.Action.some((a) => matches(a, action)));

describe("the job's policy", () => {
  test("IAM grammar; allows only create-only uploads and their abort under the two prefixes, the owner's ACL, and nothing else", () => {
    const doc = jobPolicy(cfgOf());
    expect(grammarProblems(doc)).toEqual([]);
    const allow = doc.Statement.filter((s) => s.Effect === "Allow");
    expect(
      allow.flatMap((s) => s.Resource).every((r) => /^arn:aws:s3:::my-backups\/shop\/(daily|monthly)\/\*$/.test(r)),
    ).toBe(true);
    expect(
      allow
        .filter((s) => !s.Condition)
        .flatMap((s) => s.Action)
        .sort(),
    ).toEqual(["s3:AbortMultipartUpload", "s3:PutObject"]);
    const acl = allow.find((s) => s.Action.includes("s3:PutObjectAcl"))!;
    expect(acl.Condition).toEqual({ StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } });
    for (const a of [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:ListBucket",
      "s3:ListBucketVersions",
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
      "s3:PutBucketPolicy",
      "s3:PutBucketAcl",
      "s3:PutBucketVersioning",
      "s3:PutBucketObjectLockConfiguration",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutLifecycleConfiguration",
      "s3:BypassGovernanceRetention",
      "s3:PutObjectRetention",
      "s3:PutObjectLegalHold",
    ])
      expect(unconditional(doc, "Deny", a), a).not.toEqual([]);
    // Every grant header and every other canned ACL is denied on upload and afterwards.
    const denyConds = doc.Statement.filter((s) => s.Effect === "Deny" && s.Condition).map((s) =>
      JSON.stringify(s.Condition),
    );
    for (const g of ["read", "write", "read-acp", "write-acp", "full-control"])
      expect(
        denyConds.some((c) => c.includes(`s3:x-amz-grant-${g}`)),
        g,
      ).toBe(true);
    expect(denyConds.some((c) => c.includes('"StringLike":{"s3:x-amz-acl":"?*"}'))).toBe(true);
  });

  test("on AWS it refuses uploads without If-None-Match (parts exempt); elsewhere it leaves that out and says why", async () => {
    const aws = jobPolicy(cfgOf()).Statement.find((s) => s.Condition?.Null);
    expect(aws?.Effect).toBe("Deny");
    expect(aws?.Condition).toEqual({
      Null: { "s3:if-none-match": "true" },
      Bool: { "s3:ObjectCreationOperation": "true" },
    });
    expect(
      jobPolicy(cfgOf({ endpoint: "https://s3.eu-west-1.amazonaws.com" })).Statement.some((s) => s.Condition?.Null),
    ).toBe(true);
    const rgw = cfgOf({ endpoint: "http://rgw.example:8080", force_path_style: true });
    expect(jobPolicy(rgw).Statement.some((s) => s.Condition?.Null)).toBe(false);
    const r = await runCli(["policy", "--config", writeConfig({ name: "shop", s3: { ...rgw.s3 } })]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).Statement.length).toBe(jobPolicy(rgw).Statement.length);
    expect(r.stderr).toMatch(/RGW ignores it on CompleteMultipartUpload and in versioned buckets/);
  });

  test("--principal gives bucket-policy statements; a bad principal is bad input", async () => {
    const doc = jobPolicy(cfgOf(), { principal: "arn:aws:iam::123456789012:user/backup-web1" });
    expect(grammarProblems(doc)).toEqual([]);
    for (const s of doc.Statement) expect(s.Principal).toEqual({ AWS: ["arn:aws:iam::123456789012:user/backup-web1"] });
    const cfg = writeConfig({ name: "shop", s3: { bucket: "my-backups", region: "eu-west-1" } });
    const bad = await runCli(["policy", "--config", cfg, "--principal", "backup-web1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--principal must be an IAM ARN");
  });

  test("with retention.lock: the job may set retention in the configured mode only, never bypass governance", () => {
    const doc = jobPolicy(cfgOf({}, { retention: { lock: "compliance", monthly_days: 400 } }));
    expect(grammarProblems(doc)).toEqual([]);
    expect(doc.Statement.find((s) => s.Effect === "Allow" && s.Action.includes("s3:PutObjectRetention"))).toBeDefined();
    expect(unconditional(doc, "Deny", "s3:PutObjectRetention")).toEqual([]);
    expect(unconditional(doc, "Deny", "s3:BypassGovernanceRetention")).not.toEqual([]);
    const conds = doc.Statement.filter((s) => s.Action.includes("s3:PutObjectRetention") && s.Effect === "Deny").map(
      (s) => s.Condition,
    );
    expect(conds).toContainEqual({ StringNotEquals: { "s3:object-lock-mode": "COMPLIANCE" } });
    expect(conds).toContainEqual({ NumericGreaterThan: { "s3:object-lock-remaining-retention-days": "401" } });
  });

  test("statement ids are unique per backup, so two backups share a bucket policy; setup replaces exactly its own", () => {
    const shop = jobPolicy(cfgOf(), { principal: "arn:aws:iam:::user/a" }).Statement;
    const eu = jobPolicy({ ...cfgOf(), name: "shop-eu" }, { principal: "arn:aws:iam:::user/b" }).Statement;
    const shopSids = allSids(cfgOf());
    expect(eu.some((s) => shopSids.has(s.Sid))).toBe(false);
    const foreign = {
      Sid: "SomeoneElses",
      Effect: "Allow" as const,
      Action: ["s3:GetObject"],
      Resource: ["arn:aws:s3:::my-backups/x/*"],
    };
    const first = mergePolicy({ Statement: [foreign, ...eu] }, shop, shopSids);
    expect(first.kept).toBe(1 + eu.length);
    // Applying shop again, now with a lock (more statements): shop's old ones are all replaced.
    const locked = jobPolicy(cfgOf({}, { retention: { lock: "governance" } }), {
      principal: "arn:aws:iam:::user/a",
    }).Statement;
    const again = mergePolicy(first, locked, shopSids);
    expect(again.Statement).toEqual([foreign, ...eu, ...locked]);
  });
});

describe("lifecycle rules", () => {
  test("matched by exact ID: applying shop keeps shop-eu's rules and replaces only its own", () => {
    const shop = lifecycleRules(cfgOf());
    const eu = lifecycleRules({ ...cfgOf({ prefix: "eu/" }), name: "shop-eu" });
    const other = { ID: "s3-backup-shop-old", Status: "Enabled" as const, Filter: { Prefix: "old/" } };
    const merged = mergeRules([...eu, other, ...shop], shop);
    expect(merged.Rules?.map((r) => r.ID)).toEqual([
      "s3-backup-shop-eu-daily",
      "s3-backup-shop-eu-monthly",
      "s3-backup-shop-old",
      "s3-backup-shop-daily",
      "s3-backup-shop-monthly",
    ]);
  });

  test("noncurrent versions outlive an overwrite by their class's days; with Object Lock the lock keeps them", () => {
    const [daily, monthly] = lifecycleRules(cfgOf({}, { retention: { daily_days: 9, monthly_days: 400 } }));
    expect(daily.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 9 });
    expect(monthly.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 400 });
    const locked = lifecycleRules(cfgOf({}, { retention: { lock: "compliance" } }));
    expect(locked.map((r) => r.NoncurrentVersionExpiration?.NoncurrentDays)).toEqual([1, 1]);
  });
});

describe("keys in logs", () => {
  test("maskKeys keeps four characters of RANDOM and nothing else of it", () => {
    const r = randomToken();
    const key = `b/daily/2025-01-02/web1/shop--${r}.sql.zst`;
    expect(maskKeys(`ok -> s3://bkt/${key} in 1 s`)).toBe(
      `ok -> s3://bkt/b/daily/2025-01-02/web1/shop--…${r.slice(-4)}.sql.zst in 1 s`,
    );
    // Not a key: a 63-character token, or one that runs on.
    expect(maskKeys(`x--${r.slice(1)}`)).toBe(`x--${r.slice(1)}`);
    expect(maskKeys(`x--${r}A`)).toBe(`x--${r}A`);
  });

  test("a finished run's stdout, stderr and the files it keeps on the host hold no object key's random part; its manifest holds them all", async () => {
    const bucket = await createBucket(s3);
    const src = tempDir("s3b-src-");
    writeFileSync(join(src, "index.html"), "hi\n");
    // Incompressible and over one 8 MiB part, so the upload journal records it while it is open
    // (masked: spec/backup/kills.spec.ts reads it after a kill) and drops it once completed.
    writeFileSync(join(src, "big.bin"), randomBytes(9 * 2 ** 20));
    const textfileDir = tempDir("s3b-metrics-");
    const config = jobConfig(s3, bucket, {
      assets: [src, "/nonexistent-asset"],
      metrics: { textfile_dir: textfileDir },
    });
    const r = await runCli(["run", "--config", writeConfig(config)]);
    expect(r.code).toBe(1);
    const kept = [config.state_dir, textfileDir].flatMap((dir) =>
      readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8")),
    );
    expect(kept.join("")).toContain("s3_backup"); // the metrics and the state are there to search
    const out = [r.stdout, r.stderr, ...kept].join("\n");
    // Without a terminal each object's line goes to syslog only (spec/backup/syslog.spec.ts); the
    // summary names the manifest, masked.
    expect(out).toMatch(/--…[A-Za-z0-9_-]{4}\.manifest\.json/);
    const client = testS3Client(s3);
    const keys = (await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents!.map((o) => o.Key!);
    expect(keys).toHaveLength(2);
    for (const k of keys) expect(out).not.toContain(/--([A-Za-z0-9_-]{64})\./.exec(k)![1].slice(0, 60));
    const manifestKey = keys.find((k) => k.endsWith(".manifest.json"))!;
    const body = await (
      await client.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey }))
    ).Body!.transformToString();
    expect(JSON.parse(body).objects.map((o: { key?: string }) => o.key)).toContain(
      keys.find((k) => k.endsWith(".tar.zst")),
    );
  });
});

describe("restore's hints", () => {
  test("a miss on the host already chosen does not say to choose a host; a miss on another host lists the ones there are", () => {
    const ref = {
      cls: "daily" as const,
      day: "2025-01-02",
      host: "web1",
      backup: "shop",
      key: "k",
      lastModified: new Date(),
      size: 9,
    };
    const same = whatExists([ref], { backup: "shop", host: "web1" }).join("\n");
    expect(same).not.toContain("choose one with --host");
    expect(same).toContain('backup "shop" has runs from host web1, but none is a trusted, completed run holding it');
    const other = whatExists([ref, { ...ref, host: "web2" }], { backup: "shop", host: "web2" }).join("\n");
    expect(other).toContain("other host(s): web1 (choose one with --host HOST)");
    expect(whatExists([ref], { backup: "shop", host: "web3" }).join("\n")).toContain(
      "runs from host(s): web1 (choose one with --host HOST)",
    );
  });
});
