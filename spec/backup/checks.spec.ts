// The pure checks: which manifests restore trusts, how manifest keys parse, and the asset-name
// clashes converge's check() can refuse before cron ever runs the job.
import { describe, expect, test } from "vitest";
import { databaseNameClashes, nameClashes } from "../../contract/names.js";
import { objectKey, parseManifestKey } from "../../backup/keys.js";
import type { Manifest } from "../../backup/manifest.js";
import { contentSuspect, listingSuspect, type ManifestRef } from "../../backup/trust.js";

const folder = "p/daily/2025-03-01/web1/";
const ref = (day: string, lastModified: string, size = 900): ManifestRef => ({
  cls: "daily",
  day,
  host: "web1",
  backup: "shop",
  key: `p/daily/${day}/web1/shop--${"A".repeat(64)}.manifest.json`,
  lastModified: new Date(lastModified),
  size,
});
const manifest = (finished_at: string, objectKey = `${folder}site--${"B".repeat(64)}.tar.zst`): Manifest => ({
  format: "s3-backup-manifest/1",
  backup: "shop",
  host: "web1",
  class: "daily",
  started_at: finished_at,
  finished_at,
  duration_ms: 1,
  complete: true,
  objects: [
    {
      name: "site",
      kind: "files",
      source: "/site",
      ok: true,
      key: objectKey,
      bytes: 1,
      sha256: "x",
      compression: "zstd",
      exits: [],
      duration_ms: 1,
    },
  ],
});

describe("trust", () => {
  test("a manifest's key day must agree with S3's LastModified: that day or the next, give or take 15 minutes", () => {
    expect(listingSuspect(ref("2025-03-01", "2025-03-01T02:10:00Z"))).toBeUndefined();
    expect(listingSuspect(ref("2025-03-01", "2025-03-02T01:00:00Z"))).toBeUndefined(); // started before midnight
    expect(listingSuspect(ref("2025-03-01", "2025-02-28T23:50:00Z"))).toBeUndefined(); // job clock a little ahead
    expect(listingSuspect(ref("2099-01-01", "2025-03-01T02:10:00Z"))).toMatch(
      /key is dated 2099-01-01 but S3 received it 2025-03-01T02:10:00.000Z/,
    );
    expect(listingSuspect(ref("2024-01-01", "2025-03-01T02:10:00Z"))).toMatch(/dated 2024-01-01/); // back-dated
    expect(listingSuspect(ref("2025-03-01", "2025-03-01T02:10:00Z", 1 << 30))).toMatch(/bytes/);
  });

  test("finished_at must agree with LastModified, name this backup and host, and objects must sit in the manifest's folder", () => {
    const r = ref("2025-03-01", "2025-03-01T02:10:00Z");
    expect(contentSuspect(r, manifest("2025-03-01T02:09:58Z"))).toBeUndefined();
    expect(contentSuspect(r, manifest("2025-03-01T01:00:00Z"))).toMatch(
      /finished 2025-03-01T01:00:00Z but S3 received it/,
    );
    expect(contentSuspect(r, manifest("not a date"))).toMatch(/finished not a date/);
    expect(contentSuspect(r, { ...manifest("2025-03-01T02:09:58Z"), backup: "shop--x" })).toMatch(
      /names backup "shop--x"/,
    );
    expect(contentSuspect(r, manifest("2025-03-01T02:09:58Z", "p/daily/2025-03-01/web2/site--x.tar"))).toMatch(
      /points outside its folder/,
    );
  });

  test("manifest keys parse whole, up to the 64-character RANDOM, so shop and shop--x differ", () => {
    const parts = {
      prefix: "p/",
      cls: "monthly" as const,
      date: new Date("2025-03-01T02:00:00Z"),
      host: "web1",
      ext: "manifest.json",
    };
    expect(parseManifestKey("p/", objectKey({ ...parts, name: "shop" }))).toEqual({
      cls: "monthly",
      day: "2025-03-01",
      host: "web1",
      backup: "shop",
    });
    expect(parseManifestKey("p/", objectKey({ ...parts, name: "shop--x" }))?.backup).toBe("shop--x");
    expect(parseManifestKey("p/", objectKey({ ...parts, name: "shop", ext: "tar.zst" }))).toBeUndefined();
    expect(parseManifestKey("q/", objectKey({ ...parts, name: "shop" }))).toBeUndefined();
  });
});

describe("asset-name clashes (exported for converge's check)", () => {
  test("nameClashes: two paths with one key name, and a path listed twice", () => {
    expect(nameClashes(["/var/www", "/srv/data"])).toEqual([]);
    expect(nameClashes(["/var/www", "/var_www", "/srv"])).toEqual([
      'assets "/var/www" and "/var_www" would share the name "var_www" in object keys',
    ]);
    expect(nameClashes(["/srv", "/srv/"])).toHaveLength(1);
  });

  test("databaseNameClashes: plain entries only, repeats are one dump", () => {
    expect(databaseNameClashes(["db t1", "db_t1"])).toEqual([
      'databases "db t1" and "db_t1" would share the name "db_t1" in object keys',
    ]);
    expect(databaseNameClashes(["shop", "shop", "db  t1", "db t1", "wp_%"])).toEqual([]);
  });
});
