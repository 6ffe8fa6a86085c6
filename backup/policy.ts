// The least-privilege IAM policy for the job's own credentials. Reasoning: README.md, "The job's S3 credentials: least privilege".
import type { BackupConfig } from "./config.js";

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** The policy: write (and abort) under the job's two prefixes, and explicitly nothing else. */
export function jobPolicy(cfg: Pick<BackupConfig, "s3">): PolicyDocument {
  const bucketArn = `arn:aws:s3:::${cfg.s3.bucket}`;
  const prefix = cfg.s3.prefix;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        // s3:PutObject also covers CreateMultipartUpload, UploadPart and CompleteMultipartUpload.
        Sid: "WriteNewBackupObjects",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
        Resource: [`${bucketArn}/${prefix}daily/*`, `${bucketArn}/${prefix}monthly/*`],
      },
      {
        // Explicit, so no other grant (or a store that lets uploaders read their own objects,
        // such as Ceph RGW) can give a compromised host a way to read, list or erase backups.
        Sid: "NeverReadListOrDelete",
        Effect: "Deny",
        Action: [
          "s3:GetObject",
          "s3:GetObjectVersion",
          "s3:DeleteObject",
          "s3:DeleteObjectVersion",
          "s3:ListBucket",
          "s3:ListBucketVersions",
          "s3:ListBucketMultipartUploads",
          "s3:ListMultipartUploadParts",
          "s3:PutObjectAcl",
          "s3:PutBucketPolicy",
          "s3:PutLifecycleConfiguration",
          "s3:DeleteBucket",
        ],
        Resource: [bucketArn, `${bucketArn}/*`],
      },
    ],
  };
}
