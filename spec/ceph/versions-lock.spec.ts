// Versioning and Object Lock on Ceph RGW 16.2: where the store lets an overwrite through (it
// ignores If-None-Match in versioned buckets and on CompleteMultipartUpload), the job's own
// version is what restore reads; in compliance mode nobody, the owner included, deletes a backup
// or shortens its retention; selftest passes on a correct setup and fails on a loosened policy.
import {
  DeleteObjectCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
} from "@aws-sdk/client-s3";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { listKeys, runCli, tempDir } from "../backup/helpers.js";
import type { Ceph, CephUser } from "../support/ceph.js";
import { asInfo, asOwner, cephConfig, cephForThisFile, multipartPut, ownerBucket, site, statusOf } from "./helpers.js";

let ceph: Ceph;
let job: CephUser;

cephForThisFile((c, j) => {
  ceph = c;
  job = j;
});

const DAY_MS = 86_400_000;

describe("versioning and Object Lock on Ceph RGW 16.2", { timeout: 300_000 }, () => {
  test("versioning on: the job's key overwrites a backup and its manifest (single PUT and multipart), and restore still gets the original", async () => {
    const bucket = await ownerBucket(ceph, { versioning: true });
    const src = site(12);
    const cfg = cephConfig(ceph, job, bucket, { assets: [src] });
    expect((await asOwner(ceph, ["setup", "--config", cfg, "--principal", job.arn, "--apply"])).code).toBe(0);
    expect((await runCli(["run", "--config", cfg])).code).toBe(0);
    const keys = await listKeys(asInfo(ceph, ceph.owner), bucket);
    const data = keys.find((k) => k.endsWith(".tar.zst"))!;
    const manifest = keys.find((k) => k.endsWith(".manifest.json"))!;

    // The attack, with keys the job's log never printed: RGW accepts both overwrites here.
    const client = ceph.client(job);
    expect(
      await statusOf(
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: data,
            Body: "x",
            ACL: "bucket-owner-full-control",
            IfNoneMatch: "*",
          }),
        ),
      ),
    ).toBe(200);
    expect(await multipartPut(client, bucket, manifest, '{"planted":true}')).toBe(200);
    const owner = ceph.client(ceph.owner);
    const versions = await owner.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(versions.Versions!.filter((v) => v.Key === data)).toHaveLength(2);

    const to = join(tempDir("s3b-restore-"), "t");
    const r = await asOwner(ceph, ["restore", "--config", cfg, "--name", src, "--to", to]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /manifest s3:\/\/\S+--…[\w-]{4}\.manifest\.json was written 2 times: trusting its first version/,
    );
    expect(readFileSync(join(to, src, "big.bin")).equals(readFileSync(join(src, "big.bin")))).toBe(true);
  });

  test("selftest passes on a correct setup (versioned, policy applied) and shows each probe; a loosened policy fails it naming what is allowed", async () => {
    const bucket = await ownerBucket(ceph, { versioning: true });
    const cfg = cephConfig(ceph, job, bucket, { assets: ["/etc/hostname"] });
    expect((await asOwner(ceph, ["setup", "--config", cfg, "--principal", job.arn, "--apply"])).code).toBe(0);
    const good = await runCli(["selftest", "--config", cfg]);
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);
    const rows = good.stdout.split("\n").filter((l) => /\s(works|refused)\s/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(17);
    expect(good.stdout).toMatch(
      /overwrite a backup \(multipart\)\s+refused\s+allowed, but the original version is kept/,
    );
    expect(good.stdout).toMatch(/delete a backup's version\s+refused\s+refused \(403/);
    expect(good.stdout).toMatch(/ok, all \d+ as expected/);

    // Loosened: the statement that denies reads, lists, deletes and reconfiguration is gone.
    const owner = ceph.client(ceph.owner);
    const policy = JSON.parse((await owner.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!);
    policy.Statement = policy.Statement.filter((s: { Sid: string }) => !s.Sid.endsWith("Never"));
    await owner.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
    const bad = await runCli(["selftest", "--config", cfg]);
    expect(bad.code).toBe(1);
    const flagged = bad.stdout.split("\n").filter((l) => l.startsWith("!"));
    // RGW lets an uploader read what it uploaded unless a policy denies it (deleting needs more).
    for (const what of ["read a backup (GET)", "see whether a backup exists (HEAD)"])
      expect(
        flagged.some((l) => l.includes(what) && /ALLOWED/.test(l)),
        what,
      ).toBe(true);
    expect(bad.stderr).toMatch(/FAILED \d+ of \d+: .*read a backup \(GET\)/);
  });

  test("Object Lock, compliance mode: every object (multipart ones too) is retained until its class expires; nobody deletes it or shortens that, the owner included", async () => {
    const bucket = await ownerBucket(ceph, { lock: true });
    const src = site(12);
    const cfg = cephConfig(ceph, job, bucket, {
      assets: [src],
      retention: { daily_days: 3, monthly_days: 40, lock: "compliance" },
    });
    const setup = await asOwner(ceph, ["setup", "--config", cfg, "--principal", job.arn, "--apply"]);
    expect(setup.stdout).toMatch(/object lock\s+ok: enabled; the job locks each object in compliance mode/);
    expect(setup.code).toBe(0);
    const t0 = Date.now();
    const run = await runCli(["run", "--config", cfg]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const owner = ceph.client(ceph.owner);
    const versions = (await owner.send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions!;
    expect(versions.map((v) => v.Key!.replace(/.*\./, "")).sort()).toEqual(["json", "zst"]);
    for (const v of versions) {
      const { Retention } = await owner.send(
        new GetObjectRetentionCommand({ Bucket: bucket, Key: v.Key, VersionId: v.VersionId }),
      );
      expect(Retention?.Mode).toBe("COMPLIANCE");
      // The first run of a month is a monthly: 40 days.
      const until = Retention!.RetainUntilDate!.getTime();
      expect(until).toBeGreaterThan(t0 + 40 * DAY_MS - 60_000);
      expect(until).toBeLessThan(Date.now() + 40 * DAY_MS + 60_000);
      const soon = new Date(Date.now() + DAY_MS);
      for (const client of [owner, ceph.client(job)]) {
        expect(
          await statusOf(client.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.Key, VersionId: v.VersionId }))),
        ).toBe(403);
        expect(
          await statusOf(
            client.send(
              new PutObjectRetentionCommand({
                Bucket: bucket,
                Key: v.Key,
                VersionId: v.VersionId,
                Retention: { Mode: "COMPLIANCE", RetainUntilDate: soon },
              }),
            ),
          ),
        ).toBe(403);
      }
      expect(
        await statusOf(
          ceph.client(job).send(
            new DeleteObjectCommand({
              Bucket: bucket,
              Key: v.Key,
              VersionId: v.VersionId,
              BypassGovernanceRetention: true,
            }),
          ),
        ),
      ).toBe(403);
    }
    // Deleting without a version only hides it behind a delete marker; the locked version stays readable.
    const data = versions.find((v) => v.Key!.endsWith(".zst"))!;
    expect(await statusOf(owner.send(new DeleteObjectCommand({ Bucket: bucket, Key: data.Key })))).toBe(200);
    expect(
      await statusOf(owner.send(new GetObjectCommand({ Bucket: bucket, Key: data.Key, VersionId: data.VersionId }))),
    ).toBe(200);

    const sel = await runCli(["selftest", "--config", cfg]);
    expect(sel.stdout).toMatch(/upload a new object \(create-only, owner-readable, locked\)\s+works/);
    expect(sel.stdout).toMatch(/shorten a backup's retention\s+refused\s+refused \(403/);
    expect(sel.stdout).toMatch(/delete a backup's version \(bypassing governance\)\s+refused\s+refused \(403/);
    expect(sel.code).toBe(0);
  });

  test("setup refuses a config asking for Object Lock on a bucket without it, and says how to get one", async () => {
    const bucket = await ownerBucket(ceph, { versioning: true });
    const cfg = cephConfig(ceph, job, bucket, { assets: ["/etc/hostname"], retention: { lock: "governance" } });
    const r = await asOwner(ceph, ["setup", "--config", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/object lock\s+PROBLEM: retention.lock is "governance" but bucket \S+ has no Object Lock/);
  });
});
