// Two fixes to s3rver's ListObjectsV2, test support only:
// - It finds a listing's objects by walking its storage directories and prunes the walk below the
//   first delimiter, so `Delimiter: "/"` over PREFIX/DAY/HOST/KEY returns no CommonPrefixes at all
//   (AWS and Ceph return PREFIX/DAY/). They are computed here from the undelimited listing.
// - Its continuation tokens are encrypted with single DES, which OpenSSL 3 no longer offers, so a
//   second page is an HTTP 500. Triple DES with the key three times over is the same cipher.
import crypto from "node:crypto";
import { createRequire } from "node:module";

interface Listed {
  objects: { key: string }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}
type ListObjects = (this: unknown, bucket: string, o: Record<string, unknown>) => Promise<Listed>;

let patched = false;

export function fixListings(): void {
  if (patched) return;
  patched = true;
  for (const name of ["createCipheriv", "createDecipheriv"] as const) {
    const original = crypto[name] as (alg: string, key: Buffer, iv: Buffer) => unknown;
    (crypto as unknown as Record<string, unknown>)[name] = (alg: string, key: Buffer, iv: Buffer) =>
      alg === "des" ? original("des-ede3-cbc", Buffer.concat([key, key, key]), iv) : original(alg, key, iv);
  }
  const require = createRequire(import.meta.url);
  const Store = require("@20minutes/s3rver/lib/stores/filesystem.js") as { prototype: { listObjects: ListObjects } };
  const original = Store.prototype.listObjects;
  Store.prototype.listObjects = async function (bucket, o) {
    const delimiter = (o.delimiter as string) || "";
    if (!delimiter) return original.call(this, bucket, o);
    const all = await original.call(this, bucket, { ...o, delimiter: "", maxKeys: Infinity });
    const prefix = (o.prefix as string) || "";
    const maxKeys = (o.maxKeys as number) ?? Infinity;
    const out: Listed = { objects: [], commonPrefixes: [], isTruncated: false };
    const prefixes = new Set<string>();
    for (const obj of all.objects) {
      const i = obj.key.slice(prefix.length).indexOf(delimiter);
      if (i >= 0) prefixes.add(obj.key.slice(0, prefix.length + i + delimiter.length));
      else if (out.objects.length < maxKeys) out.objects.push(obj);
      else out.isTruncated = true;
    }
    out.commonPrefixes = [...prefixes].sort();
    return out;
  };
}
