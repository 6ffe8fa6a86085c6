// Finds a backup in the bucket: the run manifests of this backup name and host, newest first.
// Needs list and read permission, so it only ever runs with operator credentials.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { BackupConfig } from "./config.js";
import { MANIFEST_SUFFIX } from "./keys.js";
import { MANIFEST_FORMAT, type Manifest, type ManifestEntry } from "./manifest.js";

async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Manifest keys of this backup on this host (optionally one day), newest day first. */
export async function manifestKeys(client: S3Client, cfg: BackupConfig, date?: string): Promise<string[]> {
  const p = cfg.s3.prefix;
  const prefixes = date ? [`${p}daily/${date}/${cfg.host}/`, `${p}monthly/${date}/${cfg.host}/`] : [`${p}daily/`, `${p}monthly/`];
  const all = (await Promise.all(prefixes.map((x) => listKeys(client, cfg.s3.bucket, x)))).flat();
  const mine = all.filter((k) => {
    const parts = k.slice(p.length).split("/");
    return parts.length === 4 && parts[2] === cfg.host && parts[3].startsWith(`${cfg.name}--`) && k.endsWith(MANIFEST_SUFFIX);
  });
  const day = (k: string) => k.slice(p.length).split("/")[1];
  return mine.sort((a, b) => day(b).localeCompare(day(a)));
}

/** Reads a manifest object. */
export async function readManifest(client: S3Client, bucket: string, key: string): Promise<Manifest> {
  const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const m = JSON.parse(await r.Body!.transformToString("utf8")) as Manifest;
  if (m.format !== MANIFEST_FORMAT) throw new Error(`${key} is not an s3-backup manifest (${String(m.format)})`);
  return m;
}

/** Manifests newest first (by finish time), read lazily. */
export async function* manifestsNewestFirst(client: S3Client, cfg: BackupConfig, date?: string): AsyncGenerator<{ key: string; manifest: Manifest }> {
  const keys = await manifestKeys(client, cfg, date);
  // Keys sort by day only; within a day order by the manifest's own finish time.
  const byDay = new Map<string, string[]>();
  for (const k of keys) {
    const d = k.slice(cfg.s3.prefix.length).split("/")[1];
    byDay.set(d, [...(byDay.get(d) ?? []), k]);
  }
  for (const dayKeys of byDay.values()) {
    const ms = await Promise.all(dayKeys.map(async (key) => ({ key, manifest: await readManifest(client, cfg.s3.bucket, key) })));
    ms.sort((a, b) => b.manifest.finished_at.localeCompare(a.manifest.finished_at));
    yield* ms;
  }
}

/** The newest completed object of asset `name`, with the manifest that vouches for it. */
export async function findBackup(client: S3Client, cfg: BackupConfig, name: string, date?: string):
  Promise<{ manifestKey: string; entry: ManifestEntry } | undefined> {
  for await (const { key, manifest } of manifestsNewestFirst(client, cfg, date)) {
    const entry = manifest.objects.find((o) => o.name === name && o.ok && o.key);
    if (entry) return { manifestKey: key, entry };
  }
  return undefined;
}
