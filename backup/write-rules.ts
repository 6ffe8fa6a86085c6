// How the job writes every object, data and manifest alike. Each rule answers one thing a
// compromised host holding the job's key could otherwise do:
// - create-only (If-None-Match: *): a PUT over an existing key is refused with 412 instead of
//   silently replacing a backup;
// - `bucket-owner-full-control`: the bucket owner (the operator) can read and restore what the
//   job wrote. Stores that keep the uploader as an object's owner (Ceph RGW, AWS buckets without
//   "bucket owner enforced") otherwise refuse the owner's GET; AWS with ownership enforced accepts
//   this one ACL and no other. The job's policy denies every other ACL, so nothing is ever public;
// - with retention.lock, S3 Object Lock until the object's class expires, so not even a stolen
//   operator key (in compliance mode) can delete it early.
import type { ObjectCannedACL } from "@aws-sdk/client-s3";
import type { BackupConfig } from "./config.js";
import type { BackupClass } from "./keys.js";
import { attemptsOf, httpStatusOf } from "../providers/s3/errors.js";

export const OWNER_READABLE_ACL: ObjectCannedACL = "bucket-owner-full-control";

/** Request parameters every upload carries; spread into PutObject / lib-storage's Upload params. */
export interface WriteRules {
  ACL: ObjectCannedACL;
  IfNoneMatch: "*";
  ObjectLockMode?: "GOVERNANCE" | "COMPLIANCE";
  ObjectLockRetainUntilDate?: Date;
}

const DAY_MS = 86_400_000;

/** Days an object of `cls` is kept: its lifecycle expiry, and its Object Lock retention. */
export function classDays(cfg: Pick<BackupConfig, "retention">, cls: BackupClass): number {
  return cls === "daily" ? cfg.retention.daily_days : cfg.retention.monthly_days;
}

/** The rules for objects of `cls` written by a run that started at `now`. */
export function writeRules(cfg: Pick<BackupConfig, "retention">, cls: BackupClass, now: Date): WriteRules {
  const lock = cfg.retention.lock;
  return {
    ACL: OWNER_READABLE_ACL,
    IfNoneMatch: "*",
    ...(lock
      ? {
          ObjectLockMode: lock === "compliance" ? "COMPLIANCE" : "GOVERNANCE",
          ObjectLockRetainUntilDate: new Date(now.getTime() + classDays(cfg, cls) * DAY_MS),
        }
      : {}),
  };
}

/**
 * The `.catch` of every create-only write. A 412 on a write the SDK had retried means the attempt
 * whose answer was lost (a reset, a timeout) created the object, under a fresh random key no one
 * else knows, from the same bytes: counting it as a failure would fail a backup that is safely in
 * the bucket. Resolves to an answer with no version id to tell; anything else is rethrown.
 */
export function storedByEarlierAttempt(err: unknown): { VersionId?: string } {
  if (httpStatusOf(err) === 412 && attemptsOf(err) > 1) return {};
  throw err;
}
