// What restore may believe about a manifest. The job's write-only key can PUT any key, so a
// manifest's key and body are only its writer's claims: a compromised host could plant
// daily/2099-01-01/HOST/NAME--x.manifest.json (and a dump it vouches for) to be picked first.
// The one thing the writer cannot choose is LastModified, which S3 sets on arrival. So candidates
// are ranked by LastModified, and one whose key day or finished_at disagrees with it is suspect.
import type { ManifestKeyParts } from "./keys.js";
import type { Manifest } from "./manifest.js";

/** A manifest as listed: its key's parts and what S3 says about the object. */
export interface ManifestRef extends ManifestKeyParts {
  key: string;
  /** Set by S3 when the object arrived, never by the writer. */
  lastModified: Date;
  size: number;
}

/** AWS refuses requests signed more than 15 minutes off its clock, so an honest job is within this. */
export const CLOCK_SKEW_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
/** A run keyed by the day it started may finish the next day; a daily job running longer is broken. */
const LATEST_MS = 2 * DAY_MS;
/** Far above any real manifest (about 1 KiB per object); a bigger one is not read into memory. */
const MAX_MANIFEST_BYTES = 16 * 2 ** 20;

/** Why the listing alone shows `ref` cannot be trusted, or undefined. */
export function listingSuspect(ref: ManifestRef): string | undefined {
  const start = Date.parse(`${ref.day}T00:00:00Z`);
  const at = ref.lastModified.getTime();
  if (!(at >= start - CLOCK_SKEW_MS && at <= start + LATEST_MS + CLOCK_SKEW_MS)) {
    return `its key is dated ${ref.day} but S3 received it ${ref.lastModified.toISOString()}`;
  }
  if (ref.size > MAX_MANIFEST_BYTES) return `it is ${ref.size} bytes, far more than a manifest`;
  return undefined;
}

/** Why the manifest's own content disagrees with where and when S3 says it arrived, or undefined. */
export function contentSuspect(ref: ManifestRef, m: Manifest): string | undefined {
  if (m.backup !== ref.backup || m.host !== ref.host) {
    return `it names backup "${m.backup}" on host "${m.host}" but sits under ${ref.host}/${ref.backup}--`;
  }
  const finished = Date.parse(m.finished_at);
  if (!(Math.abs(finished - ref.lastModified.getTime()) <= CLOCK_SKEW_MS)) {
    return `it says it finished ${m.finished_at} but S3 received it ${ref.lastModified.toISOString()}`;
  }
  // A run writes its objects into the manifest's own folder; pointing elsewhere would let a
  // planted manifest vouch for another host's or backup's object.
  const folder = ref.key.slice(0, ref.key.lastIndexOf("/") + 1);
  const stray = m.objects.find((o) => o.key !== undefined && !o.key.startsWith(`${folder}${o.name}--`));
  if (stray) return `its entry "${stray.name}" points outside its folder, at ${stray.key}`;
  return undefined;
}
