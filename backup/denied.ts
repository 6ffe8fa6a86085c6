// Why the operator may not read an object the job wrote. Two causes look the same (HTTP 403):
// the object belongs to its uploader, the job's user, and the store lets only the owner read it
// (Ceph RGW, AWS buckets without "bucket owner enforced", when the upload lacked the
// bucket-owner-full-control ACL: older jobs, or another writer); or the operator's own policy
// refuses s3:GetObject. The listing names each object's owner, ListBuckets the caller, and the
// object's ACL whether the owner was granted read anyway.
import { GetObjectAclCommand, ListBucketsCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { describeS3Error, httpStatusOf } from "../providers/s3/errors.js";
import { maskKeys } from "./keys.js";

/** An operator's read refused, with its cause in the message. */
export class ReadDenied extends Error {
  override name = "ReadDenied";
}

/** True for a refusal (403), as opposed to a missing object or a failing endpoint. */
export function isDenied(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === "AccessDenied" || httpStatusOf(err) === 403;
}

async function ownerOf(client: S3Client, bucket: string, key: string): Promise<string | undefined> {
  const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1, FetchOwner: true }));
  return r.Contents?.find((c) => c.Key === key)?.Owner?.ID;
}

/** Whether the object's ACL grants `me` read: an uploader's bucket-owner-full-control does. */
async function grantsMe(client: S3Client, bucket: string, key: string, me: string): Promise<boolean> {
  try {
    const acl = await client.send(new GetObjectAclCommand({ Bucket: bucket, Key: key }));
    return (acl.Grants ?? []).some(
      (g) => g.Grantee?.ID === me && (g.Permission === "FULL_CONTROL" || g.Permission === "READ"),
    );
  } catch {
    return false;
  }
}

/** One line saying why reading `key` was refused, naming the cause where the store lets us tell. */
export async function explainReadDenied(client: S3Client, bucket: string, key: string, err: unknown): Promise<string> {
  const what = `reading s3://${bucket}/${maskKeys(key)} was refused (${describeS3Error(err, bucket).message.split(": ")[0]})`;
  const policy = `${what}: your credentials' policy (IAM or bucket policy) refuses s3:GetObject on it`;
  let owner: string | undefined;
  let me: string | undefined;
  try {
    owner = await ownerOf(client, bucket, key);
    me = (await client.send(new ListBucketsCommand({}))).Owner?.ID;
  } catch {
    // The listing is refused too: nothing to compare.
  }
  if (!owner || !me) {
    return (
      `${what}: either your credentials' policy refuses s3:GetObject, or the object belongs to the job's user, ` +
      "which uploaded it without the bucket-owner-full-control ACL (list the bucket with FetchOwner to see which)"
    );
  }
  if (owner === me || (await grantsMe(client, bucket, key, me))) return policy;
  return (
    `${what}: the object belongs to "${owner}", the user that uploaded it, not to you ("${me}"), and its ACL ` +
    "grants you nothing: it was uploaded without the bucket-owner-full-control ACL the job now sends. To read " +
    `it: on Ceph RGW, allow yourself s3:GetObject on arn:aws:s3:::${bucket}/* in the bucket policy; on AWS, ` +
    'set the bucket\'s Object Ownership to "bucket owner enforced"'
  );
}
