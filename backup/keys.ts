// Object keys: PREFIX{daily|monthly}/YYYY-MM-DD/HOST/NAME--RANDOM.EXT. RANDOM is what keeps a
// write-only, list-less credential from finding (and overwriting) earlier backups: 48 bytes from
// the CSPRNG, URL-safe base64, always 64 characters (48 is a multiple of 3, so no padding).
import { randomBytes } from "node:crypto";

export type BackupClass = "daily" | "monthly";

/** 64 URL-safe characters from 48 random bytes. */
export function randomToken(): string {
  return randomBytes(48).toString("base64url");
}

/** The calendar day in UTC, YYYY-MM-DD: keys sort and compare the same on every host. */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The calendar month in UTC, YYYY-MM. */
export function utcMonth(d: Date): string {
  return d.toISOString().slice(0, 7);
}

export interface KeyParts {
  prefix: string;
  cls: BackupClass;
  date: Date;
  host: string;
  name: string;
  ext: string;
}

/** A fresh key; two calls never return the same key. */
export function objectKey(p: KeyParts): string {
  return `${p.prefix}${p.cls}/${utcDay(p.date)}/${p.host}/${p.name}--${randomToken()}.${p.ext}`;
}

/** How many of RANDOM's characters a log line keeps: enough to tell runs apart, useless for writing. */
const SHOWN = 4;
const RANDOM_IN_TEXT = /--[A-Za-z0-9_-]{64}(?![A-Za-z0-9_-])/g;

/**
 * `text` with every object key's RANDOM part cut to its last few characters
 * (`shop--…ab12.sql.zst`). RANDOM is all that stops the job's write-only key from overwriting an
 * earlier backup, so it must never reach a log a compromised host can read; the manifest, which
 * that key cannot read back, keeps the full keys for restore.
 */
export function maskKeys(text: string): string {
  return text.replace(RANDOM_IN_TEXT, (m) => `--…${m.slice(-SHOWN)}`);
}

/** Manifests sit beside the objects of their run, named after the backup: NAME--RANDOM.manifest.json. */
export const MANIFEST_EXT = "manifest.json";

export interface ManifestKeyParts {
  cls: BackupClass;
  day: string;
  host: string;
  /** The backup's name. Read up to the fixed-length RANDOM, so a name containing "--" still parses whole. */
  backup: string;
}

const MANIFEST_KEY = /^(daily|monthly)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/([^/]+)--[A-Za-z0-9_-]{64}\.manifest\.json$/;

/** The parts of a manifest key under `prefix`; undefined for any other key. */
export function parseManifestKey(prefix: string, key: string): ManifestKeyParts | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const m = MANIFEST_KEY.exec(key.slice(prefix.length));
  return m ? { cls: m[1] as BackupClass, day: m[2], host: m[3], backup: m[4] } : undefined;
}
