// `s3-backup setup`: the operator's one command that makes a bucket safe for the job, with the
// operator's credentials. It reads the bucket's state, says what it would change, and with
// --apply changes it: this backup's bucket-policy statements (merged by their exact Sids, other
// backups' and other statements kept), its lifecycle rules (exact IDs), a public-access block
// that still lets the job's uploads through; versioning and Object Lock are only checked against
// the config, since they cannot be undone (Object Lock) or change billing (versioning).
import {
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
  type S3Client,
} from "@aws-sdk/client-s3";
import { EXIT } from "../engine/errors.js";
import { describeS3Error } from "../providers/s3/errors.js";
import type { BackupConfig } from "./config.js";
import { applyLifecycle, lifecycleRules } from "./lifecycle.js";
import { allSids, isAws, jobPolicy, sidPrefix, type PolicyStatement } from "./policy.js";

export interface SetupFlags {
  apply: boolean;
  principal?: string;
}

/** The S3 error's code when it is one of `codes` (an absent configuration), else rethrows. */
async function orAbsent<T>(p: Promise<T>, ...codes: string[]): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (codes.includes((err as { name?: string }).name ?? "")) return undefined;
    throw err;
  }
}

/**
 * The public-access block to put. All four settings on AWS. Elsewhere two stay off, because Ceph
 * RGW 16.2 misjudges (measured): BlockPublicAcls refuses every upload carrying an ACL,
 * bucket-owner-full-control included, and BlockPublicPolicy refuses any Allow statement naming a
 * user, so the job's bucket policy could not be put again. IgnorePublicAcls makes a public ACL
 * that got through (RGW does not check a multipart upload's ACL against the policy) ineffective.
 */
export function publicAccessBlock(cfg: Pick<BackupConfig, "s3">): PublicAccessBlockConfiguration {
  const aws = isAws(cfg.s3);
  return { BlockPublicAcls: aws, IgnorePublicAcls: true, BlockPublicPolicy: aws, RestrictPublicBuckets: true };
}

/** The bucket policy with this backup's statements replaced and everything else kept. */
export function mergePolicy(
  existing: { Version?: string; Statement?: PolicyStatement[] } | undefined,
  ours: PolicyStatement[],
  replace: Set<string>,
): { Version: string; Statement: PolicyStatement[]; kept: number } {
  const others = (existing?.Statement ?? []).filter((s) => !replace.has(s.Sid));
  return { Version: "2012-10-17", Statement: [...others, ...ours], kept: others.length };
}

type Line = { what: string; text: string; problem?: boolean };

async function bucketPolicyStep(client: S3Client, cfg: BackupConfig, f: SetupFlags): Promise<Line> {
  const what = "bucket policy";
  if (!f.principal) {
    return { what, text: "skipped: no --principal; attach `s3-backup policy` to the job's user as its IAM policy" };
  }
  const bucket = cfg.s3.bucket;
  const current = await orAbsent(client.send(new GetBucketPolicyCommand({ Bucket: bucket })), "NoSuchBucketPolicy");
  const ours = jobPolicy(cfg, { principal: f.principal }).Statement;
  const { kept, ...doc } = mergePolicy(current?.Policy ? JSON.parse(current.Policy) : undefined, ours, allSids(cfg));
  const summary = `${ours.length} statements for ${f.principal} (sids ${sidPrefix(cfg.name)}*), ${kept} other statement(s) kept`;
  if (!f.apply) return { what, text: `would put ${summary}` };
  await client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(doc) }));
  return { what, text: `put ${summary}` };
}

async function lifecycleStep(client: S3Client, cfg: BackupConfig, f: SetupFlags): Promise<Line> {
  const rules = lifecycleRules(cfg)
    .map((r) => `${r.ID} (${r.Expiration?.Days} days)`)
    .join(", ");
  if (!f.apply) return { what: "lifecycle", text: `would put ${rules}, other rules kept` };
  const written = await applyLifecycle(client, cfg);
  return { what: "lifecycle", text: `put ${rules}, ${(written.Rules ?? []).length - 2} other rule(s) kept` };
}

async function publicAccessStep(client: S3Client, cfg: BackupConfig, f: SetupFlags): Promise<Line> {
  const want = publicAccessBlock(cfg);
  const on = Object.entries(want)
    .filter(([, v]) => v)
    .map(([k]) => k)
    .join(", ");
  const note = want.BlockPublicAcls
    ? ""
    : " (BlockPublicAcls and BlockPublicPolicy off: on Ceph RGW they refuse the job's uploads and its policy)";
  const current = await orAbsent(
    client.send(new GetPublicAccessBlockCommand({ Bucket: cfg.s3.bucket })),
    "NoSuchPublicAccessBlockConfiguration",
  );
  const have = current?.PublicAccessBlockConfiguration ?? {};
  const same = (Object.keys(want) as (keyof PublicAccessBlockConfiguration)[]).every((k) => !!have[k] === want[k]);
  if (same) return { what: "public access", text: `ok: ${on}${note}` };
  if (!f.apply) return { what: "public access", text: `would put ${on}${note}` };
  await client.send(new PutPublicAccessBlockCommand({ Bucket: cfg.s3.bucket, PublicAccessBlockConfiguration: want }));
  return { what: "public access", text: `put ${on}${note}` };
}

async function versioningStep(client: S3Client, cfg: BackupConfig): Promise<Line[]> {
  const bucket = cfg.s3.bucket;
  const versioning = (await client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status ?? "never enabled";
  const lockCfg = await orAbsent(
    client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket })),
    "ObjectLockConfigurationNotFoundError",
  );
  const locked = lockCfg?.ObjectLockConfiguration?.ObjectLockEnabled === "Enabled";
  const want = cfg.retention.lock;
  const lines: Line[] = [];
  if (want && !locked) {
    lines.push({
      what: "object lock",
      problem: true,
      text:
        `retention.lock is "${want}" but bucket ${bucket} has no Object Lock. It cannot be turned off again, so setup ` +
        "does not turn it on: create the bucket with Object Lock enabled (Ceph RGW, MinIO: only at creation), or on " +
        "AWS enable it on the versioned bucket (PutObjectLockConfiguration)",
    });
  } else if (want) {
    const dflt = lockCfg?.ObjectLockConfiguration?.Rule?.DefaultRetention;
    lines.push({
      what: "object lock",
      text:
        `ok: enabled; the job locks each object in ${want} mode until its class expires` +
        (dflt
          ? ` (bucket default retention: ${dflt.Mode} ${dflt.Days ?? dflt.Years} ${dflt.Days ? "days" : "years"})`
          : ""),
    });
  } else if (locked) {
    lines.push({
      what: "object lock",
      text: "enabled on the bucket, but retention.lock is not set: set it to lock each backup",
    });
  }
  if (versioning !== "Enabled" && (want || locked)) {
    lines.push({ what: "versioning", problem: true, text: `${versioning}: Object Lock needs versioning enabled` });
  } else if (versioning === "Enabled") {
    lines.push({ what: "versioning", text: "ok: enabled; an overwritten or deleted backup keeps its earlier version" });
  } else {
    lines.push({
      what: "versioning",
      text:
        `${versioning}: an overwrite that gets past If-None-Match (Ceph RGW does not check it on multipart uploads) ` +
        "replaces a backup for good; enable versioning or retention.lock to keep it",
    });
  }
  return lines;
}

/** The `setup` command (operator credentials); returns the exit code. */
export async function setupCommand(client: S3Client, cfg: BackupConfig, f: SetupFlags): Promise<number> {
  const tag = `s3-backup setup ${cfg.name}`;
  const store = isAws(cfg.s3) ? "AWS S3" : `S3-compatible store at ${cfg.s3.endpoint}`;
  process.stdout.write(
    `${tag}: bucket ${cfg.s3.bucket} on ${store}${f.apply ? "" : " (dry run: add --apply to change it)"}\n`,
  );
  const lines: Line[] = [];
  try {
    await client.send(new HeadBucketCommand({ Bucket: cfg.s3.bucket }));
    // The block first: where a store misjudges the job's policy as public (RGW), an earlier
    // BlockPublicPolicy is turned off before the policy is put.
    lines.push(await publicAccessStep(client, cfg, f));
    lines.push(await bucketPolicyStep(client, cfg, f));
    lines.push(await lifecycleStep(client, cfg, f));
    lines.push(...(await versioningStep(client, cfg)));
  } catch (err) {
    for (const l of lines) process.stdout.write(`  ${l.what.padEnd(14)} ${l.text}\n`);
    process.stderr.write(`${tag}: ${describeS3Error(err, cfg.s3.bucket).message}\n`);
    return EXIT.failed;
  }
  for (const l of lines)
    (l.problem ? process.stderr : process.stdout).write(
      `  ${l.what.padEnd(14)} ${l.problem ? "PROBLEM: " : ""}${l.text}\n`,
    );
  const problems = lines.filter((l) => l.problem).length;
  process.stdout.write(
    problems > 0
      ? `${tag}: ${problems} problem(s) to fix by hand\n`
      : `${tag}: ${f.apply ? "done" : "nothing changed"}; now run \`s3-backup selftest\` with the job's config, on the host\n`,
  );
  return problems > 0 ? EXIT.failed : EXIT.ok;
}
