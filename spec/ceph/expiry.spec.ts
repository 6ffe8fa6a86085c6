// The lifecycle rules doing their work on Ceph RGW 16.2, with a lifecycle "day" of 10 s: dailies
// expire, monthlies stay, an upload the job abandoned is aborted, and in a versioned bucket the
// versions expiry leaves behind go too.
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { describe, expect, test } from "vitest";
import { listKeys, runCli } from "../backup/helpers.js";
import type { Ceph, CephUser } from "../support/ceph.js";
import { asInfo, asOwner, cephConfig, cephForThisFile, ownerBucket } from "./helpers.js";

const DAY_S = 10;
let ceph: Ceph;
let job: CephUser;

cephForThisFile(
  (c, j) => {
    ceph = c;
    job = j;
  },
  { lcDebugInterval: DAY_S },
);

// RGW runs a bucket's rules at most once per lifecycle "day", and a versioned daily needs two
// passes a day apart (expiry makes the delete marker, whose age then expires the version), each
// a radosgw-admin process that is slow on a loaded machine. So the wait ends as soon as the
// outcome holds, with a budget of many days: monthlies are kept for 365 days, far beyond it.
const BUDGET_DAYS = 24;

/** Runs lifecycle passes until `done()` holds, or fails after BUDGET_DAYS naming what is left. */
async function lifecycleUntil(done: () => Promise<boolean>, left: () => Promise<unknown>): Promise<void> {
  const end = Date.now() + BUDGET_DAYS * DAY_S * 1000;
  for (let passes = 1; ; passes++) {
    await ceph.lifecycleNow();
    if (await done()) return;
    if (Date.now() > end) {
      const still = JSON.stringify(await left(), null, 1);
      throw new Error(`lifecycle not done after ${BUDGET_DAYS} days (${passes} passes); left: ${still}`);
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
}

/** A monthly run then a daily one of backup "shop", plus a multipart upload the job left open. */
async function twoRunsAndAnAbandonedUpload(bucket: string) {
  const cfg = cephConfig(ceph, job, bucket, {
    assets: ["/etc/hostname"],
    retention: { daily_days: 1, monthly_days: 365 },
  });
  expect((await asOwner(ceph, ["setup", "--config", cfg, "--principal", job.arn, "--apply"])).code).toBe(0);
  for (let i = 0; i < 2; i++) expect((await runCli(["run", "--config", cfg])).code).toBe(0);
  const client = ceph.client(job);
  const Key = `backups/daily/${new Date().toISOString().slice(0, 10)}/web1/abandoned--x.tar.zst`;
  const up = await client.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key, ACL: "bucket-owner-full-control" }),
  );
  await client.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId: up.UploadId, PartNumber: 1, Body: "part" }));
  const keys = await listKeys(asInfo(ceph, ceph.owner), bucket);
  expect(keys.filter((k) => k.startsWith("backups/daily/"))).toHaveLength(2);
  expect(keys.filter((k) => k.startsWith("backups/monthly/"))).toHaveLength(2);
}

describe(`lifecycle on Ceph RGW 16.2, one day = ${DAY_S} s`, { timeout: (BUDGET_DAYS + 20) * DAY_S * 1000 }, () => {
  test("dailies expire after daily_days, monthlies survive, the abandoned upload is aborted", async () => {
    const bucket = await ownerBucket(ceph);
    await twoRunsAndAnAbandonedUpload(bucket);
    const owner = ceph.client(ceph.owner);
    const uploads = async () => (await owner.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];
    expect(await uploads()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, (DAY_S + 2) * 1000));
    const keys = () => listKeys(asInfo(ceph, ceph.owner), bucket);
    await lifecycleUntil(
      async () => (await keys()).every((k) => !k.startsWith("backups/daily/")) && (await uploads()).length === 0,
      async () => ({ keys: await keys(), uploads: (await uploads()).map((u) => [u.Key, u.Initiated]) }),
    );
    const left = await listKeys(asInfo(ceph, ceph.owner), bucket);
    expect(left.map((k) => k.replace(/\/\d{4}-\d\d-\d\d\//, "/D/").replace(/--[\w-]{64}/, "--R")).sort()).toEqual([
      "backups/monthly/D/web1/etc_hostname--R.tar.zst",
      "backups/monthly/D/web1/shop--R.manifest.json",
    ]);
  });

  test("versioned bucket: an expired daily leaves no version behind once its noncurrent days pass; monthlies stay current", async () => {
    const bucket = await ownerBucket(ceph, { versioning: true });
    await twoRunsAndAnAbandonedUpload(bucket);
    const owner = ceph.client(ceph.owner);
    const versions = async () => {
      const r = await owner.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      return { versions: r.Versions ?? [], markers: r.DeleteMarkers ?? [] };
    };
    await new Promise((r) => setTimeout(r, (DAY_S + 2) * 1000));
    await lifecycleUntil(
      async () => (await versions()).versions.every((v) => !v.Key!.startsWith("backups/daily/")),
      async () => {
        const { versions: vs, markers } = await versions();
        return [...vs, ...markers].map((v) => [v.Key, v.IsLatest, v.LastModified]);
      },
    );
    const { versions: kept } = await versions();
    expect(kept.map((v) => v.Key!.split("/")[1])).toEqual(["monthly", "monthly"]);
    expect(kept.every((v) => v.IsLatest)).toBe(true);
  });
});
