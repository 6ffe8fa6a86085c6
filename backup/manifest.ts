// The manifest: one JSON object per run, written after every data object, so its presence means
// the run finished. It is what restore and verify trust: keys, sizes and SHA-256 of each object.
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { BackupClass } from "./keys.js";
import type { StageEnd } from "./stage.js";
import { storedByEarlierAttempt, type WriteRules } from "./write-rules.js";

export const MANIFEST_FORMAT = "s3-backup-manifest/1";

export type AssetKind = "files" | "mysql";

/** A file that changed while tar read it, kept under on_change: "warn": its copy may be torn. */
export interface ChangedFile {
  path: string;
  /** e.g. "changed while it was read", "shrank by 120 bytes while it was read (padded with zeros)". */
  note: string;
}

export interface ManifestEntry {
  name: string;
  kind: AssetKind;
  /** The path, or "db [table...]". */
  source: string;
  ok: boolean;
  /** Absent when the object was not completed. */
  key?: string;
  bytes?: number;
  sha256?: string;
  /** The version the job wrote, where the bucket keeps versions: restore reads exactly it, so an overwrite cannot substitute another. */
  version_id?: string;
  compression: "zstd" | "gzip" | "none";
  /** Exit status of each program in the pipeline (producer first). */
  exits: { what: string; code: number | null; signal?: string | null }[];
  duration_ms: number;
  error?: string;
  /** Files whose copy may be torn (on_change: "warn"); absent when none changed. */
  changed_files?: ChangedFile[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  backup: string;
  host: string;
  class: BackupClass;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  complete: boolean;
  objects: ManifestEntry[];
}

/** The exit statuses of a pipeline as stored in the manifest. */
export function exitsOf(ends: StageEnd[]): ManifestEntry["exits"] {
  return ends.map((e) => ({ what: e.what, code: e.code, ...(e.signal ? { signal: e.signal } : {}) }));
}

/** Uploads the manifest at `key`, under the same rules as the objects it lists; `signal` bounds the time it may take. */
export async function writeManifest(
  client: S3Client,
  bucket: string,
  key: string,
  m: Manifest,
  rules: WriteRules,
  signal?: AbortSignal,
): Promise<void> {
  await client
    .send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: `${JSON.stringify(m, null, 2)}\n`,
        ContentType: "application/json",
        ...rules,
      }),
      { abortSignal: signal },
    )
    .catch(storedByEarlierAttempt);
}
