// The manifest: one JSON object per run, written after every data object, so its presence means
// the run finished. It is what restore and verify trust: keys, sizes and SHA-256 of each object.
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  MANIFEST_FORMAT,
  type AssetKind,
  type ChangedFile,
  type Manifest,
  type ManifestEntry,
} from "./manifest-schema.js";
import type { StageEnd } from "./stage.js";
import { storedByEarlierAttempt, type WriteRules } from "./write-rules.js";

export { MANIFEST_FORMAT, type AssetKind, type ChangedFile, type Manifest, type ManifestEntry };

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
