// The central promise on a real S3 server (Ceph RGW 16.2): with the printed policy, as a bucket
// policy or as the user's IAM policy, the job's key uploads backups and can do nothing else to
// them; its log names no key an attacker could use; the bucket owner restores what it wrote.
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, test } from "vitest";
import { parseConfig } from "../../backup/config.js";
import { jobPolicy } from "../../backup/policy.js";
import { cnf, listKeys, plantRun, runCli, tempDir } from "../backup/helpers.js";
import type { Ceph, CephUser } from "../support/ceph.js";
import { sqlAsRoot } from "../support/mariadb.js";
import { asInfo, asOwner, cephConfig, cephForThisFile, multipartPut, ownerBucket, site, statusOf } from "./helpers.js";

const { socket } = inject("mariadb");
let ceph: Ceph;
let job: CephUser;

cephForThisFile((c, j) => {
  ceph = c;
  job = j;
});

/** What the job's key gets for each thing a compromised host would try on a backup it knows the key of. */
async function attacks(client: S3Client, bucket: string, key: string) {
  const everyone = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"';
  const fresh = `${key}.planted`;
  return {
    list: await statusOf(client.send(new ListObjectsV2Command({ Bucket: bucket }))),
    get: await statusOf(client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))),
    head: await statusOf(client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))),
    delete: await statusOf(client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))),
    overwrite: await statusOf(
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: "x",
          ACL: "bucket-owner-full-control",
          IfNoneMatch: "*",
        }),
      ),
    ),
    publicUpload: await statusOf(
      client.send(new PutObjectCommand({ Bucket: bucket, Key: fresh, Body: "x", ACL: "public-read" })),
    ),
    grantUpload: await statusOf(
      client.send(new PutObjectCommand({ Bucket: bucket, Key: fresh, Body: "x", GrantRead: everyone })),
    ),
    publicAcl: await statusOf(client.send(new PutObjectAclCommand({ Bucket: bucket, Key: key, ACL: "public-read" }))),
    policy: await statusOf(client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: '{"Statement":[]}' }))),
    lifecycle: await statusOf(
      client.send(
        new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: [] } }),
      ),
    ),
    bucketAcl: await statusOf(client.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" }))),
    versioning: await statusOf(
      client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } })),
    ),
    createBucket: await statusOf(
      client.send(new CreateBucketCommand({ Bucket: `job-own-${randomBytes(4).toString("hex")}` })),
    ),
  };
}

const REFUSED = {
  list: 403,
  get: 403,
  head: 403,
  delete: 403,
  overwrite: 412,
  publicUpload: 403,
  grantUpload: 403,
  publicAcl: 403,
  policy: 403,
  lifecycle: 403,
  bucketAcl: 403,
  versioning: 403,
  createBucket: 403,
};

describe("the job's key under the generated policy, on Ceph RGW 16.2", { timeout: 300_000 }, () => {
  const db = `shop_${randomBytes(3).toString("hex")}`;
  let bucket: string;
  let cfg: string;
  let src: string;
  let keys: string[];

  test("setup without --apply changes nothing; with it, puts the job user's bucket policy, lifecycle and public-access block", async () => {
    bucket = await ownerBucket(ceph);
    src = site();
    sqlAsRoot(
      socket,
      `CREATE DATABASE ${db}; CREATE TABLE ${db}.orders (id INT PRIMARY KEY, who TEXT);
      INSERT INTO ${db}.orders VALUES (1, 'ann'), (2, 'bob');`,
    );
    const mysql = { defaults_file: cnf(["user=root", `socket=${socket}`]), databases: [db] };
    cfg = cephConfig(ceph, job, bucket, { assets: [src], mysql });
    const owner = ceph.client(ceph.owner);

    const dry = await asOwner(ceph, ["setup", "--config", cfg, "--principal", job.arn]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/bucket policy\s+would put/);
    expect(await statusOf(owner.send(new GetBucketPolicyCommand({ Bucket: bucket })))).toBe(404);

    const r = await asOwner(ceph, ["setup", "--config", cfg, "--principal", job.arn, "--apply"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bucket policy\s+put \d+ statements for arn:aws:iam:::user\/job/);
    const policy = JSON.parse((await owner.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!);
    expect(policy.Statement.every((s: { Principal: unknown }) => JSON.stringify(s.Principal).includes(job.arn))).toBe(
      true,
    );
    const rules = (await owner.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules!;
    expect(rules.map((x) => x.ID).sort()).toEqual(["s3-backup-shop-daily", "s3-backup-shop-monthly"]);
    const pab = (await owner.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration;
    expect(pab).toEqual({
      BlockPublicAcls: false,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: true,
    });
    // A second setup finds everything in place and keeps the policy as it is.
    const again = await asOwner(ceph, ["setup", "--config", cfg, "--principal", job.arn, "--apply"]);
    expect(again.stdout).toMatch(/public access\s+ok/);
    expect(JSON.parse((await owner.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!)).toEqual(policy);
  });

  test("the job's run works (a file asset in 8 MiB parts, a database in one PUT), and its output holds no key's random part", async () => {
    const r = await runCli(["run", "--config", cfg]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    keys = await listKeys(asInfo(ceph, ceph.owner), bucket);
    expect(keys.map((k) => k.replace(/--[\w-]{64}/, "--R"))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^backups\/monthly\/\d{4}-\d\d-\d\d\/web1\/shop--R\.manifest\.json$/),
        expect.stringMatching(/\/tmp_s3b-site-\w+_site--R\.tar\.zst$/),
        expect.stringMatching(new RegExp(`/${db}--R\\.sql\\.zst$`)),
      ]),
    );
    const out = r.stdout + r.stderr;
    for (const k of keys) expect(out).not.toContain(/--([\w-]{64})/.exec(k)![1].slice(0, 60));
    expect(out).toMatch(/--…[\w-]{4}\.manifest\.json/);
  });

  test("the bucket owner restores and verifies what the job wrote", async () => {
    const to = join(tempDir("s3b-restore-"), "t");
    const files = await asOwner(ceph, ["restore", "--config", cfg, "--name", src, "--to", to]);
    expect(files.stderr).toBe("");
    expect(files.code).toBe(0);
    expect(readFileSync(join(to, src, "big.bin")).equals(readFileSync(join(src, "big.bin")))).toBe(true);
    const into = `${db}_restored`;
    const rootCnf = cnf(["user=root", `socket=${socket}`]);
    const dump = await asOwner(ceph, [
      "restore",
      "--config",
      cfg,
      "--name",
      db,
      "--into-database",
      into,
      "--mysql-defaults-file",
      rootCnf,
    ]);
    expect(dump.code).toBe(0);
    expect(sqlAsRoot(socket, `SELECT who FROM ${into}.orders ORDER BY id`)).toEqual([["ann"], ["bob"]]);
    const verify = await asOwner(ceph, ["verify", "--config", cfg, "--mysql-defaults-file", rootCnf]);
    expect(verify.stderr).toBe("");
    expect(verify.code).toBe(0);
  });

  test("the job's key is refused list, get, head, delete, public uploads, ACL and bucket changes, and a PUT over a backup (412); RGW lets a multipart one through", async () => {
    const client = ceph.client(job);
    const data = keys.find((k) => k.endsWith(".tar.zst"))!;
    expect(await attacks(client, bucket, data)).toEqual(REFUSED);
    // What RGW does not refuse, and why versioning or Object Lock is what protects there
    // (spec/ceph/versions-lock.spec.ts): CompleteMultipartUpload ignores If-None-Match.
    const manifest = keys.find((k) => k.endsWith(".manifest.json"))!;
    expect(await multipartPut(client, bucket, manifest, "planted")).toBe(200);
    const owner = ceph.client(ceph.owner);
    const now = await (
      await owner.send(new GetObjectCommand({ Bucket: bucket, Key: manifest }))
    ).Body!.transformToString();
    expect(now).toBe("planted");
    // Nor does RGW check a multipart upload's ACL against the policy; the public-access block's
    // IgnorePublicAcls (setup) is what keeps such an object private.
    const exposed = `${data}.exposed`;
    const up = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: exposed, ACL: "public-read" }),
    );
    const part = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: exposed, UploadId: up.UploadId, PartNumber: 1, Body: "x" }),
    );
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: exposed,
        UploadId: up.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect((await fetch(`${ceph.endpoint}/${bucket}/${exposed}`)).status).toBe(403);
  });

  test("the same refusals with the policy attached as the job user's IAM policy (PutUserPolicy) and no bucket policy", async () => {
    const job2 = await ceph.addUser("job2");
    const bucket2 = await ownerBucket(ceph);
    const cfg2 = cephConfig(ceph, job2, bucket2, { assets: [site(1)] });
    const doc = jobPolicy(
      parseConfig(
        { name: "shop", s3: { bucket: bucket2, region: "us-east-1", prefix: "backups/", endpoint: ceph.endpoint } },
        "t",
      ),
    );
    await ceph.putUserPolicy(job2, "s3-backup-shop", doc);
    const r = await runCli(["run", "--config", cfg2]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const data = (await listKeys(asInfo(ceph, ceph.owner), bucket2)).find((k) => k.endsWith(".tar.zst"))!;
    expect(await attacks(ceph.client(job2), bucket2, data)).toEqual(REFUSED);
  });

  test("selftest on this unversioned bucket reports every probe, flags exactly the overwrites RGW lets through, and exits 1", async () => {
    const r = await runCli(["selftest", "--config", cfg]);
    expect(r.code).toBe(1);
    const flagged = r.stdout.split("\n").filter((l) => l.startsWith("!"));
    expect(flagged.map((l) => l.replace(/\s{2,}.*/, "").slice(2))).toEqual([
      "overwrite a backup (plain PUT)",
      "overwrite a backup (multipart)",
    ]);
    for (const what of [
      "list the backups",
      "read a backup (GET)",
      "see whether a backup exists (HEAD)",
      "delete a backup",
      "change the bucket policy",
    ])
      expect(r.stdout).toMatch(new RegExp(`  ${what.replace(/[()]/g, "\\$&")}\\s+refused\\s+refused \\(403`));
    expect(r.stdout).toMatch(/overwrite a backup \(If-None-Match\)\s+refused\s+refused \(412/);
    expect(r.stdout).toMatch(/upload a new object in parts \(multipart\)\s+works\s+works/);
    expect(r.stderr).toContain("FAILED 2 of");
  });

  test("restore names the cause when the owner may not read the job's upload: it belongs to the job's user (no bucket-owner-full-control)", async () => {
    // An upload without the ACL, as an earlier job version made them: the job's key may still do that.
    await plantRun(asInfo(ceph, job), bucket, {
      day: new Date().toISOString().slice(0, 10),
      finishedAt: new Date().toISOString(),
      backup: "legacy",
      objects: [{ name: "etc", kind: "files", source: "/etc", body: Buffer.from("x") }],
    });
    const legacy = cephConfig(ceph, job, bucket, { name: "legacy", assets: ["/etc"] });
    const r = await asOwner(ceph, ["restore", "--config", legacy, "--name", "/etc", "--to", join(tempDir(), "t")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the object belongs to "job", the user that uploaded it, not to you \("owner"\)/);
    expect(r.stderr).toMatch(/legacy--…[\w-]{4}\.manifest\.json/);
  });

  test("setup --apply of shop and shop-eu in one bucket, in either order, keeps each other's lifecycle rules and policy statements", async () => {
    const eu = cephConfig(ceph, job, bucket, { name: "shop-eu", assets: ["/etc"] });
    const owner = ceph.client(ceph.owner);
    for (const order of [
      [eu, cfg],
      [cfg, eu],
    ]) {
      for (const c of order)
        expect((await asOwner(ceph, ["setup", "--config", c, "--principal", job.arn, "--apply"])).code).toBe(0);
      const rules = (await owner.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules!;
      expect(rules.map((x) => x.ID).sort()).toEqual([
        "s3-backup-shop-daily",
        "s3-backup-shop-eu-daily",
        "s3-backup-shop-eu-monthly",
        "s3-backup-shop-monthly",
      ]);
    }
    const lifecycle = await asOwner(ceph, ["lifecycle", "--config", cfg, "--apply"]);
    expect(lifecycle.code).toBe(0);
    const rules = (await owner.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules!;
    expect(rules).toHaveLength(4);
    const sids = JSON.parse((await owner.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!).Statement.map(
      (s: { Sid: string }) => s.Sid,
    );
    expect(new Set(sids).size).toBe(sids.length);
    expect(sids.filter((s: string) => s.startsWith("S3Backupshopeu")).length).toBe(sids.length / 2);
  });
});
