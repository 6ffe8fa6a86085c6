// Shared by the specs against the Ceph gateway: the job's CLI pointed at it, buckets made by the
// owner, a site with a file big enough to go up in several parts, and what a key may be answered.
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutBucketVersioningCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jobConfig, operatorEnv, runCli, tempDir, writeConfig, type CliResult } from "../backup/helpers.js";
import { afterAll, beforeAll } from "vitest";
import { startCeph, type Ceph, type CephUser } from "../support/ceph.js";
import type { S3Info } from "../support/s3-server.js";

/**
 * A cluster for the calling spec file and its job user (uid "job"), started before its tests and
 * stopped after them; `ready` receives both.
 */
export function cephForThisFile(ready: (ceph: Ceph, job: CephUser) => void, opts: { lcDebugInterval?: number } = {}) {
  let ceph: Ceph | undefined;
  beforeAll(async () => {
    ceph = await startCeph(opts);
    ready(ceph, await ceph.addUser("job"));
  }, 180_000);
  afterAll(async () => ceph?.stop(), 60_000);
}

/** The gateway as the backup specs' helpers take an endpoint, signing as `user`. */
export function asInfo(ceph: Ceph, user: CephUser): S3Info {
  return {
    endpoint: ceph.endpoint,
    region: ceph.region,
    accessKeyId: user.accessKeyId,
    secretAccessKey: user.secretAccessKey,
    directory: "",
  };
}

/** Creates a bucket as the owner, with versioning or Object Lock (which brings versioning) if asked. */
export async function ownerBucket(ceph: Ceph, opts: { versioning?: boolean; lock?: boolean } = {}): Promise<string> {
  const bucket = `bk-${randomBytes(5).toString("hex")}`;
  const owner = ceph.client(ceph.owner);
  await owner.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: opts.lock }));
  if (opts.versioning && !opts.lock) {
    await owner.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
  }
  return bucket;
}

/** Writes a job config for backup `name` of `assets`, with `job`'s keys, and returns its path. */
export function cephConfig(ceph: Ceph, job: CephUser, bucket: string, extra: Record<string, unknown> = {}): string {
  return writeConfig(jobConfig(asInfo(ceph, job), bucket, extra));
}

/** Runs `s3-backup ARGS` with the owner's credentials in the AWS chain (restore, verify, setup). */
export function asOwner(ceph: Ceph, args: string[]): Promise<CliResult> {
  return runCli(args, { env: operatorEnv(asInfo(ceph, ceph.owner)) });
}

/** A site directory: a small page and `bigMiB` of random bytes, which go up in 8 MiB parts. */
export function site(bigMiB = 20): string {
  const src = join(tempDir("s3b-site-"), "site");
  mkdirSync(src);
  writeFileSync(join(src, "index.html"), "real\n");
  writeFileSync(join(src, "big.bin"), randomBytes(bigMiB * 2 ** 20));
  return src;
}

/** HTTP status of what `p` got back: 200 for a success, else the error's. */
export async function statusOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return 200;
  } catch (err) {
    return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  }
}

/** Writes `body` at `key` in parts, as a multipart upload with If-None-Match on completion; resolves to the status. */
export async function multipartPut(
  client: S3Client,
  bucket: string,
  key: string,
  body: string,
): Promise<number | undefined> {
  return statusOf(
    (async () => {
      const up = await client.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ACL: "bucket-owner-full-control" }),
      );
      const part = await client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: 1, Body: body }),
      );
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: up.UploadId,
          IfNoneMatch: "*",
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
    })(),
  );
}
