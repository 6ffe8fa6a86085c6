// The least-privilege policy for the job's own credentials, as an IAM user policy or, given a
// principal, as bucket-policy statements. Reasoning and what each store enforces: README.md,
// "What a compromised host can and cannot do". Every statement was checked against Ceph RGW
// 16.2 (spec/ceph/); the AWS-only create-only condition rests on AWS's documentation.
import { createHash } from "node:crypto";
import type { BackupConfig } from "./config.js";
import { classDays, OWNER_READABLE_ACL } from "./write-rules.js";

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal?: { AWS: string[] };
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

type PolicyConfig = Pick<BackupConfig, "name" | "s3" | "retention">;

const GRANT_HEADERS = ["read", "write", "read-acp", "write-acp", "full-control"];

// Everything the job never needs, on its bucket and objects. Wildcards only at the end and only
// names RGW knows: RGW refuses a whole policy over one action it does not know (measured), and
// the same document must work on AWS and RGW. Explicit, because RGW lets an uploader read and tag
// what it uploaded unless a policy denies it, and on AWS another grant to the same user (a group
// with S3 read access) would otherwise open what this policy leaves closed.
const NEVER = [
  "s3:Get*",
  "s3:List*",
  "s3:Delete*",
  "s3:PutBucket*",
  "s3:PutLifecycleConfiguration",
  "s3:PutReplicationConfiguration",
  "s3:PutAccelerateConfiguration",
  "s3:PutObjectTagging",
  "s3:PutObjectVersion*",
  "s3:PutObjectLegalHold",
  "s3:BypassGovernanceRetention",
  "s3:Restore*",
];

/** True when the config talks to AWS itself (no endpoint, or an amazonaws.com one). */
export function isAws(s3: BackupConfig["s3"]): boolean {
  return !s3.endpoint || /^https?:\/\/[^/]*\.amazonaws\.com(\.cn)?(:\d+)?(\/|$)/.test(s3.endpoint);
}

/**
 * The statement ids of one backup: unique per backup name (letters and digits only, as IAM
 * requires), so `setup` can replace exactly this backup's statements in a shared bucket policy.
 */
export function sidPrefix(name: string): string {
  const letters = name.replace(/[^A-Za-z0-9]/g, "");
  return `S3Backup${letters}${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}

/** The policy: create-only writes under the job's two prefixes, and explicitly nothing else. */
export function jobPolicy(cfg: PolicyConfig, opts: { principal?: string } = {}): PolicyDocument {
  const bucketArn = `arn:aws:s3:::${cfg.s3.bucket}`;
  const ours = [`${bucketArn}/${cfg.s3.prefix}daily/*`, `${bucketArn}/${cfg.s3.prefix}monthly/*`];
  const everything = [bucketArn, `${bucketArn}/*`];
  const sid = sidPrefix(cfg.name);
  const st = (
    role: string,
    Effect: PolicyStatement["Effect"],
    Action: string[],
    Resource: string[],
    Condition?: PolicyStatement["Condition"],
  ): PolicyStatement => ({
    Sid: `${sid}${role}`,
    Effect,
    ...(opts.principal ? { Principal: { AWS: [opts.principal] } } : {}),
    Action,
    Resource,
    ...(Condition ? { Condition } : {}),
  });
  const lock = cfg.retention.lock;
  return {
    Version: "2012-10-17",
    Statement: [
      // s3:PutObject also covers CreateMultipartUpload, UploadPart and CompleteMultipartUpload.
      st("Write", "Allow", ["s3:PutObject", "s3:AbortMultipartUpload"], ours),
      // AWS asks for s3:PutObjectAcl when an upload carries an ACL (buckets without "bucket
      // owner enforced"): only the one that lets the owner read, never any other.
      st("OwnerAcl", "Allow", ["s3:PutObjectAcl"], ours, { StringEquals: { "s3:x-amz-acl": OWNER_READABLE_ACL } }),
      ...(lock ? [st("Retain", "Allow", ["s3:PutObjectRetention"], ours)] : []),
      // Any other canned ACL on an upload. "?*" rather than ...IfExists: RGW puts an empty
      // x-amz-acl on every part upload and ignores IfExists, so only a non-empty value may count.
      st("NoOtherAcl", "Deny", ["s3:PutObject"], everything, {
        StringLike: { "s3:x-amz-acl": "?*" },
        StringNotEquals: { "s3:x-amz-acl": OWNER_READABLE_ACL },
      }),
      // An ACL change afterwards, by header or XML body (no header: the key is absent, and a
      // negated condition on an absent key holds).
      st("NoAclChange", "Deny", ["s3:PutObjectAcl"], everything, {
        StringNotEquals: { "s3:x-amz-acl": OWNER_READABLE_ACL },
      }),
      ...GRANT_HEADERS.map((g) =>
        st(
          `NoGrant${g.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`,
          "Deny",
          ["s3:PutObject", "s3:PutObjectAcl"],
          everything,
          {
            StringLike: { [`s3:x-amz-grant-${g}`]: "*" },
          },
        ),
      ),
      ...(lock
        ? [
            // Only the configured mode, and no longer than a monthly needs: a stolen key cannot
            // switch to governance (which an operator key may bypass) or pin objects for years.
            // RGW 16.2 does not evaluate the day count (measured); AWS does (documentation).
            st("LockMode", "Deny", ["s3:PutObjectRetention"], everything, {
              StringNotEquals: { "s3:object-lock-mode": lock === "compliance" ? "COMPLIANCE" : "GOVERNANCE" },
            }),
            st("LockDays", "Deny", ["s3:PutObjectRetention"], everything, {
              NumericGreaterThan: { "s3:object-lock-remaining-retention-days": String(classDays(cfg, "monthly") + 1) },
            }),
          ]
        : []),
      st("Never", "Deny", lock ? NEVER : [...NEVER, "s3:PutObjectRetention"], everything),
      // AWS refuses a PUT or CompleteMultipartUpload without If-None-Match, so not even a job
      // that forgot it can overwrite; the part calls are exempt (they cannot carry the header).
      ...(isAws(cfg.s3)
        ? [
            st("CreateOnly", "Deny", ["s3:PutObject"], ours, {
              Null: { "s3:if-none-match": "true" },
              Bool: { "s3:ObjectCreationOperation": "true" },
            }),
          ]
        : []),
    ],
  };
}

/**
 * Every Sid this backup's statements can have, whatever its lock setting or store: `setup`
 * replaces exactly these in a bucket policy, so a change of settings leaves no stale statement.
 */
export function allSids(cfg: PolicyConfig): Set<string> {
  const sids = [undefined, "governance" as const].flatMap((lock) =>
    [undefined, "http://elsewhere"].flatMap((endpoint) =>
      jobPolicy({ ...cfg, retention: { ...cfg.retention, lock }, s3: { ...cfg.s3, endpoint } }).Statement.map(
        (s) => s.Sid,
      ),
    ),
  );
  return new Set(sids);
}

/** What the printed policy cannot promise on this store, for stderr beside it. */
export function policyNotes(cfg: PolicyConfig, principal?: string): string[] {
  const notes: string[] = [];
  if (!isAws(cfg.s3)) {
    notes.push(
      `${cfg.s3.endpoint} is not AWS: the condition that refuses uploads without If-None-Match (s3:if-none-match) ` +
        "is AWS's and is left out. The job still sends If-None-Match: * on every upload, but Ceph RGW ignores it " +
        "on CompleteMultipartUpload and in versioned buckets, so there versioning or Object Lock (retention.lock) " +
        "is what keeps an overwritten backup. Run `s3-backup selftest` to see what this store refuses.",
    );
  }
  notes.push(
    principal
      ? `bucket policy statements for ${principal}: \`s3-backup setup --apply --principal ${principal}\` merges them into the bucket's policy`
      : "IAM user policy: attach it to the job's user only (no other S3 grants), or print the bucket policy with --principal ARN",
  );
  return notes;
}
