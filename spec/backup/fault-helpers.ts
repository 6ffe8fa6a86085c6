// Shared by the fault suites: assets whose archives are known in advance, a config that goes
// through the fault proxy with short time limits, and the checks every fault must leave true.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { keySafeName } from "../../contract/names.js";
import type { Manifest } from "../../backup/manifest.js";
import { incompleteUploads, type S3Info } from "../support/s3-server.js";
import { getObject, jobConfig, listKeys, tempDir } from "./helpers.js";

const MiB = 1024 * 1024;

/** A directory holding one file of `bytes` random bytes (20 MiB makes three 8 MiB parts). */
export function assetOf(bytes: number, label = "asset"): string {
  const dir = join(tempDir(`s3b-${label}-`), label);
  mkdirSync(dir);
  writeFileSync(join(dir, "data.bin"), randomBytes(bytes));
  return dir;
}

export const BIG = 20 * MiB;

/** SHA-256 of the archive the job makes of `path` with compression none: tar is deterministic. */
export function archiveSha(path: string): string {
  const rel = `./${path.replace(/^\/+/, "")}`;
  const r = spawnSync("tar", ["--create", "--file=-", "--directory=/", rel], { maxBuffer: 1 << 30 });
  return createHash("sha256").update(r.stdout).digest("hex");
}

/** A job config through `endpoint` (the proxy) with short time limits, compression none. */
export function faultConfig(
  s3: S3Info,
  bucket: string,
  endpoint: string,
  extra: Record<string, unknown>,
  timeouts: { run: number; connect: number; idle: number } = { run: 30, connect: 2, idle: 3 },
) {
  return jobConfig(s3, bucket, { compression: "none", timeouts, ...extra }, { endpoint });
}

export interface BucketState {
  manifests: Manifest[];
  /** Data objects (not manifests): key -> SHA-256 of the stored bytes. */
  objects: Map<string, string>;
  incomplete: string[];
  /**
   * Manifests that are not JSON. s3rver keeps the part of a PUT body that arrived before the
   * client gave up (S3 answers IncompleteBody instead), so a manifest cut off by a deadline can
   * show up here on s3rver only; restore skips such a manifest as invalid.
   */
  truncated: string[];
}

/** What the bucket holds, with every manifest checked against the objects it lists. */
export async function bucketState(s3: S3Info, bucket: string): Promise<BucketState> {
  const keys = await listKeys(s3, bucket);
  const objects = new Map<string, string>();
  const manifests: Manifest[] = [];
  const truncated: string[] = [];
  for (const k of keys) {
    const body = await getObject(s3, bucket, k);
    if (!k.endsWith(".manifest.json")) objects.set(k, createHash("sha256").update(body).digest("hex"));
    else {
      try {
        manifests.push(JSON.parse(body.toString()) as Manifest);
      } catch {
        truncated.push(k);
      }
    }
  }
  for (const m of manifests)
    for (const o of m.objects.filter((x) => x.ok)) {
      expect(objects.get(o.key!), `manifest entry ${o.name}`).toBe(o.sha256);
    }
  return { manifests, objects, incomplete: await incompleteUploads(s3, bucket), truncated };
}

/** Every completed data object is the whole archive of its asset: never a torn or partial one. */
export function expectOnlyWholeArchives(state: BucketState, assets: string[]): void {
  const want = new Map(assets.map((a) => [keySafeName(a), archiveSha(a)]));
  for (const [key, sha] of state.objects) {
    const name = key.slice(key.lastIndexOf("/") + 1).split("--")[0];
    expect(sha, `object ${name}`).toBe(want.get(name));
  }
}

/** Objects of one asset in the bucket. */
export const objectsOf = (state: BucketState, asset: string) =>
  [...state.objects.keys()].filter((k) => k.includes(`/${keySafeName(asset)}--`));

/** Files left in a state directory besides what a finished run keeps (its monthly state). */
export function strayState(dir: string): string[] {
  return readdirSync(dir).filter((f) => !/^s3-backup-[^/]+\.state\.json$/.test(f));
}
