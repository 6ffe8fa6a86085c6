// Finds a backup in the bucket: the run manifests of one backup name and host, newest first by
// S3's own clock, with suspect ones skipped (backup/trust.ts says why). Needs list and read
// permission, so it only ever runs with operator credentials.
import { GetObjectCommand, ListObjectVersionsCommand, paginateListObjectsV2, type S3Client } from "@aws-sdk/client-s3";
import { isS3Error } from "../providers/s3/errors.js";
import { explainReadDenied, isDenied, ReadDenied } from "./denied.js";
import { parseManifestKey } from "./keys.js";
import type { Manifest, ManifestEntry } from "./manifest.js";
import { manifestProblem } from "./manifest-schema.js";
import { contentSuspect, listingSuspect, type ManifestRef } from "./trust.js";

export interface Where {
  bucket: string;
  prefix: string;
}

/** Which runs to look at: one backup on one host, optionally only those keyed by one day. */
export interface Selection {
  backup: string;
  host: string;
  date?: string;
}

export type Warn = (message: string) => void;

/** Every manifest under the prefix (or that day's), as listed, whoever wrote it. */
export async function listManifests(client: S3Client, where: Where, date?: string): Promise<ManifestRef[]> {
  const p = where.prefix;
  const prefixes = date ? [`${p}daily/${date}/`, `${p}monthly/${date}/`] : [`${p}daily/`, `${p}monthly/`];
  const refs: ManifestRef[] = [];
  for (const prefix of prefixes) refs.push(...(await manifestsUnder(client, where, prefix)));
  return refs;
}

/** The manifests among the keys that start with `keyPrefix`, every page of the listing read. */
export async function manifestsUnder(
  client: S3Client,
  where: Where,
  keyPrefix: string,
  pageSize?: number,
): Promise<ManifestRef[]> {
  const refs: ManifestRef[] = [];
  const pages = paginateListObjectsV2({ client, pageSize }, { Bucket: where.bucket, Prefix: keyPrefix });
  for await (const page of pages) {
    for (const o of page.Contents ?? []) {
      const parts = o.Key ? parseManifestKey(where.prefix, o.Key) : undefined;
      if (parts && o.LastModified)
        refs.push({ ...parts, key: o.Key!, lastModified: o.LastModified, size: o.Size ?? 0 });
    }
  }
  return refs;
}

async function readManifest(client: S3Client, bucket: string, key: string, versionId?: string): Promise<Manifest> {
  const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  const m: unknown = JSON.parse(await r.Body!.transformToString("utf8"));
  const problem = manifestProblem(m);
  if (problem) throw new Error(problem);
  return m as Manifest;
}

/**
 * The first version written at `key`, when the bucket holds several: a run writes each manifest
 * key once, so any later version is an overwrite (Ceph RGW ignores If-None-Match in versioned
 * buckets) and the first is the job's. Undefined when there is one version, or the store keeps
 * none or does not say (then the listing's object is all there is).
 */
async function firstVersion(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<{ versionId: string; lastModified: Date; count: number } | undefined> {
  let listed;
  try {
    listed = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: 100 }));
  } catch {
    return undefined;
  }
  const versions = (listed.Versions ?? []).filter(
    (v) => v.Key === key && v.VersionId && v.VersionId !== "null" && v.LastModified,
  );
  if (versions.length < 2) return undefined;
  const [first] = versions.sort((a, b) => a.LastModified!.getTime() - b.LastModified!.getTime());
  return { versionId: first.VersionId!, lastModified: first.LastModified!, count: versions.length };
}

/** The selected manifests that pass the trust checks, newest first by LastModified, read lazily. */
export async function* trustedManifests(
  client: S3Client,
  where: Where,
  refs: ManifestRef[],
  sel: Selection,
  warn: Warn,
): AsyncGenerator<{ ref: ManifestRef; manifest: Manifest }> {
  const skip = (ref: ManifestRef, why: string) =>
    warn(`skipping suspect manifest s3://${where.bucket}/${ref.key}: ${why}`);
  const candidates = refs
    .filter((r) => r.backup === sel.backup && r.host === sel.host && (!sel.date || r.day === sel.date))
    .filter((r) => {
      const why = listingSuspect(r);
      if (why) skip(r, why);
      return !why;
    })
    .sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime());
  for (const listed of candidates) {
    let manifest: Manifest;
    let ref = listed;
    try {
      const first = await firstVersion(client, where.bucket, listed.key);
      if (first) {
        warn(
          `manifest s3://${where.bucket}/${listed.key} was written ${first.count} times: ` +
            `trusting its first version, received by S3 at ${first.lastModified.toISOString()}`,
        );
        ref = { ...listed, lastModified: first.lastModified };
      }
      manifest = await readManifest(client, where.bucket, ref.key, first?.versionId);
    } catch (err) {
      // S3 errors are the caller's to report, a refusal with its cause; a body that is not a
      // valid manifest (not JSON, or failing backup/manifest-schema.ts) is just untrusted.
      if (isDenied(err)) throw new ReadDenied(await explainReadDenied(client, where.bucket, ref.key, err));
      if (isS3Error(err)) throw err;
      skip(ref, (err as Error).message);
      continue;
    }
    const why = contentSuspect(ref, manifest);
    if (why) skip(ref, why);
    else yield { ref, manifest };
  }
}

/** What the trusted manifests hold: each asset's source and the days it was backed up. */
export type Available = Map<string, { source: string; days: Set<string> }>;

/** The newest completed object of an asset, given by key-safe name or by source path / database spec. */
export async function findAsset(
  client: S3Client,
  where: Where,
  refs: ManifestRef[],
  sel: Selection,
  asset: string,
  warn: Warn,
): Promise<{ found?: { ref: ManifestRef; entry: ManifestEntry }; available: Available }> {
  const available: Available = new Map();
  for await (const { ref, manifest } of trustedManifests(client, where, refs, sel, warn)) {
    const entry = manifest.objects.find((o) => (o.name === asset || o.source === asset) && o.ok && o.key);
    if (entry) return { found: { ref, entry }, available };
    for (const o of manifest.objects.filter((x) => x.ok)) {
      const a = available.get(o.name) ?? { source: o.source, days: new Set<string>() };
      available.set(o.name, a);
      a.days.add(ref.day);
    }
  }
  return { available };
}

/** Lines telling the operator which hosts and backups do exist, when `sel` matched no run. */
export function whatExists(refs: ManifestRef[], sel: Selection): string[] {
  const uniq = (xs: string[]) => [...new Set(xs)].sort();
  const hosts = uniq(refs.filter((r) => r.backup === sel.backup).map((r) => r.host));
  const others = uniq(refs.filter((r) => r.host === sel.host && r.backup !== sel.backup).map((r) => r.backup));
  const on = sel.date ? ` on ${sel.date}` : "";
  return [
    hosts.length === 0
      ? `  no runs of backup "${sel.backup}"${on} from any host`
      : hosts.includes(sel.host)
        ? `  backup "${sel.backup}" has runs${on} from host ${sel.host}, but none is a trusted, completed run holding it` +
          (hosts.length > 1
            ? `; other host(s): ${hosts.filter((h) => h !== sel.host).join(", ")} (choose one with --host HOST)`
            : "")
        : `  backup "${sel.backup}" has runs${on} from host(s): ${hosts.join(", ")} (choose one with --host HOST)`,
    ...(others.length > 0 ? [`  other backups from host ${sel.host}: ${others.join(", ")}`] : []),
  ];
}

/** Lines listing the assets a backup holds, when `--name` matched none of them. */
export function describeAvailable(available: Available): string[] {
  if (available.size === 0) return [];
  return [
    "  available (--name takes either form):",
    ...[...available]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, a]) => {
        const days = [...a.days].sort().reverse();
        return `    ${name}${a.source !== name ? ` (${a.source})` : ""}: ${days.join(", ")}`;
      }),
  ];
}
