// Lifecycle rules for the job's prefixes: daily/ expires after retention.daily_days, monthly/
// after retention.monthly_days, and each rule also aborts multipart uploads left incomplete.
// Two rules with disjoint prefixes: S3 resolves overlapping expirations by silently keeping the
// shorter one, which would delete monthlies after a week.
import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type BucketLifecycleConfiguration,
  type LifecycleRule,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { BackupConfig } from "./config.js";

/** Days after which an upload that was neither completed nor aborted is removed. */
export const ABORT_INCOMPLETE_DAYS = 1;

/** A rule's ID: the backup's name and the class, so each backup owns exactly two IDs. */
const ruleId = (name: string, cls: "daily" | "monthly") => `s3-backup-${name}-${cls}`;

/** The job's rules, as PutBucketLifecycleConfiguration takes them. */
export function lifecycleRules(cfg: Pick<BackupConfig, "name" | "s3" | "retention">): LifecycleRule[] {
  const rule = (cls: "daily" | "monthly", days: number): LifecycleRule => ({
    ID: ruleId(cfg.name, cls),
    Status: "Enabled",
    Filter: { Prefix: `${cfg.s3.prefix}${cls}/` },
    Expiration: { Days: days },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_DAYS },
  });
  return [rule("daily", cfg.retention.daily_days), rule("monthly", cfg.retention.monthly_days)];
}

/**
 * The whole configuration to put: this job's rules replaced by ID, every other rule kept. IDs are
 * compared whole: "shop"'s prefix "s3-backup-shop-" also begins "shop-eu"'s rules.
 */
export function mergeRules(existing: LifecycleRule[], ours: LifecycleRule[]): BucketLifecycleConfiguration {
  const mine = new Set(ours.map((r) => r.ID));
  return { Rules: [...existing.filter((r) => !mine.has(r.ID)), ...ours] };
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
