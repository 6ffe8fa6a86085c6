// `s3-backup selftest`: run on the host with the job's own key, it tries what a compromised host
// would try against the backups and prints what the store allowed. Put (single and multipart)
// and abort must work; list, get, head, overwrite, public ACLs, deletes, retention changes and
// bucket reconfiguration must be refused. It writes only small probe objects under today's
// daily/ prefix (the job's key cannot delete them; lifecycle expires them with the dailies).
// Probes that would change the bucket send a deliberately invalid request, so a store that lets
// the key through rejects the document (400) instead of applying it, and that 400 is reported
// as allowed: the permission check was passed.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
  UploadPartCommand,
  type BucketCannedACL,
  type BucketVersioningStatus,
  type S3Client,
} from "@aws-sdk/client-s3";
import { EXIT } from "../engine/errors.js";
import type { BackupConfig } from "./config.js";
import { maskKeys, objectKey } from "./keys.js";
import { retainVersion } from "./retention.js";
import { writeRules, type WriteRules } from "./write-rules.js";
import { httpStatusOf } from "../providers/s3/errors.js";

type Outcome = { ok: true; versionId?: string } | { ok: false; status?: number; code: string };

const STATUS_NAMES: Record<number, string> = { 403: "Forbidden", 404: "NotFound", 412: "PreconditionFailed" };

function failed(err: unknown): Outcome {
  const e = err as { name?: string; code?: string };
  const status = httpStatusOf(err);
  // A HEAD answer has no body to name the error: say what its status means.
  const code = e.name === "Unknown" && status ? (STATUS_NAMES[status] ?? e.name) : (e.name ?? e.code ?? "Error");
  return { ok: false, status, code };
}

/** What S3 answered; any response counts, so every command's output is accepted. */
async function attempt(p: Promise<object>): Promise<Outcome> {
  try {
    const out = (await p) as { VersionId?: string; Body?: unknown };
    // A GET that was allowed: drop the body rather than leave the socket open.
    (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
    return { ok: true, ...(out.VersionId ? { versionId: out.VersionId } : {}) };
  } catch (err) {
    return failed(err);
  }
}

export interface Row {
  what: string;
  expected: "works" | "refused";
  result: string;
  pass: boolean;
}

const refusedText = (o: Outcome & { ok: false }) => `refused (${o.status ?? ""} ${o.code})`.replace("( ", "(");

/** Judges a probe that must be refused; `original` is the probe's version when the bucket keeps versions. */
function mustRefuse(what: string, o: Outcome, original?: string): Row {
  if (o.ok) {
    if (original && o.versionId && o.versionId !== original) {
      return {
        what,
        expected: "refused",
        pass: true,
        result: "allowed, but the original version is kept (versioning)",
      };
    }
    return { what, expected: "refused", pass: false, result: "ALLOWED" };
  }
  // 400: the store passed the permission check and only rejected the probe's invalid document.
  if (o.status === 400) return { what, expected: "refused", pass: false, result: `ALLOWED (${o.code}: invalid probe)` };
  if (o.status === 403 || o.status === 412 || o.status === 501 || o.status === 405) {
    return { what, expected: "refused", pass: true, result: refusedText(o) };
  }
  return { what, expected: "refused", pass: false, result: `could not tell (${o.status ?? ""} ${o.code})` };
}

function mustWork(what: string, o: Outcome): Row {
  return o.ok
    ? { what, expected: "works", pass: true, result: "works" }
    : { what, expected: "works", pass: false, result: `REFUSED (${o.status ?? ""} ${o.code})` };
}

/** The job's way to write a streamed object: create, one part, complete with If-None-Match, lock. */
async function multipart(client: S3Client, bucket: string, key: string, rules: WriteRules): Promise<Outcome> {
  const { IfNoneMatch, ...createRules } = rules;
  let uploadId: string | undefined;
  try {
    uploadId = (await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...createRules })))
      .UploadId;
    const part = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: "probe" }),
    );
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        IfNoneMatch,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    uploadId = undefined;
    await retainVersion(client, { bucket, key, versionId: done.VersionId }, rules);
    return { ok: true, ...(done.VersionId ? { versionId: done.VersionId } : {}) };
  } catch (err) {
    if (uploadId) {
      await attempt(client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })));
    }
    return failed(err);
  }
}

/** Runs every probe with the job's client; returns the rows in the order they ran. */
export async function selftestRows(client: S3Client, cfg: BackupConfig, now = new Date()): Promise<Row[]> {
  const Bucket = cfg.s3.bucket;
  const rules = writeRules(cfg, "daily", now);
  const probeKey = () =>
    objectKey({
      prefix: cfg.s3.prefix,
      cls: "daily",
      date: now,
      host: cfg.host,
      name: "s3-backup-selftest",
      ext: "probe",
    });
  const Key = probeKey();
  const rows: Row[] = [];
  const put = await attempt(
    (async () => {
      const out = await client.send(new PutObjectCommand({ Bucket, Key, Body: "s3-backup selftest probe", ...rules }));
      await retainVersion(client, { bucket: Bucket, key: Key, versionId: out.VersionId }, rules);
      return out;
    })(),
  );
  rows.push(
    mustWork(`upload a new object (create-only, owner-readable${rules.ObjectLockMode ? ", locked" : ""})`, put),
  );
  rows.push(mustWork("upload a new object in parts (multipart)", await multipart(client, Bucket, probeKey(), rules)));
  const aborted = await attempt(
    (async () => {
      const { IfNoneMatch: _, ...createRules } = rules;
      const up = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: probeKey(), ...createRules }));
      return client.send(new AbortMultipartUploadCommand({ Bucket, Key: up.Key ?? "", UploadId: up.UploadId }));
    })(),
  );
  rows.push(mustWork("abort a multipart upload", aborted));
  if (!put.ok) return rows;
  const v = put.versionId;
  const refuse = async (what: string, p: Promise<object>, versioned = false) =>
    rows.push(mustRefuse(what, await attempt(p), versioned ? v : undefined));
  const allUsers = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"';
  await refuse("list the backups", client.send(new ListObjectsV2Command({ Bucket, Prefix: cfg.s3.prefix })));
  await refuse("read a backup (GET)", client.send(new GetObjectCommand({ Bucket, Key })));
  await refuse("see whether a backup exists (HEAD)", client.send(new HeadObjectCommand({ Bucket, Key })));
  await refuse(
    "overwrite a backup (If-None-Match)",
    client.send(new PutObjectCommand({ Bucket, Key, Body: "overwritten", ...rules })),
    true,
  );
  const { IfNoneMatch: _, ...plain } = rules;
  await refuse(
    "overwrite a backup (plain PUT)",
    client.send(new PutObjectCommand({ Bucket, Key, Body: "overwritten", ...plain })),
    true,
  );
  rows.push(mustRefuse("overwrite a backup (multipart)", await multipart(client, Bucket, Key, rules), v));
  await refuse(
    "upload with a public-read ACL",
    client.send(new PutObjectCommand({ Bucket, Key: probeKey(), Body: "public", ACL: "public-read" })),
  );
  await refuse(
    "upload with a grant to everyone",
    client.send(new PutObjectCommand({ Bucket, Key: probeKey(), Body: "public", GrantRead: allUsers })),
  );
  await refuse(
    "make a backup public (PutObjectAcl)",
    client.send(new PutObjectAclCommand({ Bucket, Key, ACL: "public-read" })),
  );
  if (rules.ObjectLockMode && v) {
    await refuse(
      "shorten a backup's retention",
      client.send(
        new PutObjectRetentionCommand({
          Bucket,
          Key,
          VersionId: v,
          Retention: { Mode: rules.ObjectLockMode, RetainUntilDate: new Date(now.getTime() + 60_000) },
        }),
      ),
    );
  }
  await refuse("change the bucket policy", client.send(new PutBucketPolicyCommand({ Bucket, Policy: "not a policy" })));
  await refuse(
    "change the lifecycle rules",
    client.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [] } })),
  );
  await refuse(
    "change versioning",
    client.send(
      new PutBucketVersioningCommand({
        Bucket,
        VersioningConfiguration: { Status: "Invalid" as BucketVersioningStatus },
      }),
    ),
  );
  await refuse(
    "change the bucket ACL",
    client.send(new PutBucketAclCommand({ Bucket, ACL: "invalid" as BucketCannedACL })),
  );
  if (v) {
    await refuse(
      `delete a backup's version${rules.ObjectLockMode ? " (bypassing governance)" : ""}`,
      client.send(
        new DeleteObjectCommand({ Bucket, Key, VersionId: v, BypassGovernanceRetention: !!rules.ObjectLockMode }),
      ),
    );
  }
  await refuse("delete a backup", client.send(new DeleteObjectCommand({ Bucket, Key })));
  return rows;
}

/** The `selftest` command: prints the table; exit 0 only when every row is as expected. */
export async function selftestCommand(client: S3Client, cfg: BackupConfig): Promise<number> {
  const tag = `s3-backup selftest ${cfg.name}`;
  const where = cfg.s3.endpoint ? ` at ${cfg.s3.endpoint}` : "";
  process.stdout.write(`${tag}: what the job's key may do in bucket ${cfg.s3.bucket}${where}\n`);
  const rows = await selftestRows(client, cfg);
  const width = Math.max(...rows.map((r) => r.what.length));
  process.stdout.write(`  ${"attempt".padEnd(width)}  expected  result\n`);
  for (const r of rows) {
    process.stdout.write(`${r.pass ? " " : "!"} ${r.what.padEnd(width)}  ${r.expected.padEnd(8)}  ${r.result}\n`);
  }
  const failed = rows.filter((r) => !r.pass);
  const summary = failed.length
    ? `${tag}: FAILED ${failed.length} of ${rows.length}: ${failed.map((r) => r.what).join("; ")}`
    : `${tag}: ok, all ${rows.length} as expected`;
  (failed.length ? process.stderr : process.stdout).write(`${maskKeys(summary)}\n`);
  return failed.length ? EXIT.failed : EXIT.ok;
}
