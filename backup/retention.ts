// Object Lock on each version the job writes. Apart from write-rules.ts, which policy.ts reads:
// `s3-backup policy`, like every command that never talks to S3, starts without the SDK.
import { PutObjectRetentionCommand, type S3Client } from "@aws-sdk/client-s3";
import type { WriteRules } from "./write-rules.js";

/**
 * Sets the lock of the version just written, when the rules ask for one. The upload's headers
 * already carry it, but Ceph RGW 16.2 ignores them on CreateMultipartUpload (measured), so a
 * streamed object would get only the bucket's default retention, if any. Same date as the
 * headers: never a shortening, so stores that refuse shortening accept it.
 */
export async function retainVersion(
  client: S3Client,
  where: { bucket: string; key: string; versionId?: string },
  rules: WriteRules,
): Promise<void> {
  if (!rules.ObjectLockMode || !rules.ObjectLockRetainUntilDate) return;
  await client.send(
    new PutObjectRetentionCommand({
      Bucket: where.bucket,
      Key: where.key,
      ...(where.versionId ? { VersionId: where.versionId } : {}),
      Retention: { Mode: rules.ObjectLockMode, RetainUntilDate: rules.ObjectLockRetainUntilDate },
    }),
  );
}
