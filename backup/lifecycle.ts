// Lifecycle rules for the job's prefixes: daily/ expires after retention.daily_days, monthly/
// after retention.monthly_days, and each rule also aborts multipart uploads left incomplete.
// Two rules with disjoint prefixes: S3 resolves overlapping expirations by silently keeping the
// shorter one, which would delete monthlies after a week. In a versioned bucket expiry only adds
// a delete marker, so each rule also removes noncurrent versions (and, on AWS, the delete
// markers left with no versions go with them, as a rule with Days does).
import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type BucketLifecycleConfiguration,
  type LifecycleRule,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { BackupConfig } from "./config.js";
import { classDays } from "./write-rules.js";

/** Days after which an upload that was neither completed nor aborted is removed. */
export const ABORT_INCOMPLETE_DAYS = 1;

/**
 * The job's rules, as PutBucketLifecycleConfiguration takes them. A version made noncurrent (by
 * expiry, or by an overwrite a compromised host managed) is kept as long again as its class
 * without Object Lock, so an overwritten backup outlives the day it would have expired anyway;
 * with Object Lock the lock keeps it that long, and it can go a day after it becomes noncurrent.
 */
export function lifecycleRules(cfg: Pick<BackupConfig, "name" | "s3" | "retention">): LifecycleRule[] {
  const rule = (cls: "daily" | "monthly"): LifecycleRule => ({
    ID: `s3-backup-${cfg.name}-${cls}`,
    Status: "Enabled",
    Filter: { Prefix: `${cfg.s3.prefix}${cls}/` },
    Expiration: { Days: classDays(cfg, cls) },
    NoncurrentVersionExpiration: { NoncurrentDays: cfg.retention.lock ? 1 : classDays(cfg, cls) },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_DAYS },
  });
  return [rule("daily"), rule("monthly")];
}

/**
 * The whole configuration to put: the bucket's other rules kept, this job's replaced. Matched by
 * exact ID: "s3-backup-shop-" is also the start of "s3-backup-shop-eu-daily", another backup's.
 */
export function mergeRules(existing: LifecycleRule[], ours: LifecycleRule[]): BucketLifecycleConfiguration {
  const ids = new Set(ours.map((r) => r.ID));
  const others = existing.filter((r) => !ids.has(r.ID));
  return { Rules: [...others, ...ours] };
}

/** Applies the rules with the operator's client; returns the configuration written. */
export async function applyLifecycle(client: S3Client, cfg: BackupConfig): Promise<BucketLifecycleConfiguration> {
  let existing: LifecycleRule[] = [];
  try {
    existing = (await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: cfg.s3.bucket }))).Rules ?? [];
  } catch (err) {
    if ((err as { name?: string }).name !== "NoSuchLifecycleConfiguration") throw err;
  }
  const config = mergeRules(existing, lifecycleRules(cfg));
  await client.send(
    new PutBucketLifecycleConfigurationCommand({ Bucket: cfg.s3.bucket, LifecycleConfiguration: config }),
  );
  return config;
}
