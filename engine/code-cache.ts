// Runs a CommonJS bundle with V8's code cache for it, written beside it at build time
// (scripts/bundle.mjs). Node 20 keeps no compile cache of its own (Node 22's
// module.enableCompileCache does), and compiling the converge bundle each time was a fifth of a
// no-op converge. The one function both writes the cache and reads it, so the two always compile
// the same text.
import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import vm from "node:vm";

const DIGEST_BYTES = 32;
const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest();

export interface LoadedBundle {
  exports: Record<string, unknown>;
  /** Whether the cache was there, belonged to this very text and V8 took it. */
  cacheUsed: boolean;
  /** Writes the cache of all the bundle's code compiled so far (a build step). */
  writeCache(): void;
}

/** Loads `file` (a CommonJS bundle) as Node's require would, with `${file}.cache` when it matches. */
export function loadBundle(file: string): LoadedBundle {
  // Node 20 maps stack traces (--enable-source-maps) for the files it loads itself, not for a
  // vm.Script: whoever asks for the TypeScript source in a trace gets Node's own loading.
  if (process.sourceMapsEnabled) {
    const exports = createRequire(file)(file) as Record<string, unknown>;
    return { exports, cacheUsed: false, writeCache: () => {} };
  }
  // Hashed as read: hashing the decoded text would encode it again (about 15 ms of 2.4 MB here).
  const bytes = readFileSync(file);
  const source = bytes.toString("utf8");
  const cacheFile = `${file}.cache`;
  // V8 checks a cache against the length of the text only, and a release build does not checksum
  // it: a stale cache of a text of the same length would run the old code. So the file starts
  // with the digest of the text it was made for, then that of the cache that follows.
  const digest = sha256(bytes);
  let cached: Buffer | undefined;
  try {
    const raw = readFileSync(cacheFile);
    const data = raw.subarray(2 * DIGEST_BYTES);
    const made = raw.subarray(0, DIGEST_BYTES);
    if (made.equals(digest) && raw.subarray(DIGEST_BYTES, 2 * DIGEST_BYTES).equals(sha256(data))) cached = data;
  } catch {
    // No cache (a build without one, a removed file): compiled as usual.
  }
  // The wrapper stays on the first line so every other line keeps its number for the source map.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __importExternal) {${source}\n})`,
    { filename: file, cachedData: cached },
  );
  const module = { exports: {} as Record<string, unknown> };
  // The bundle's import() of what is outside it (engine/import-external.ts) is this module's.
  const importExternal = (specifier: string) => import(specifier);
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), importExternal);
  return {
    exports: module.exports,
    cacheUsed: cached !== undefined && !script.cachedDataRejected,
    writeCache() {
      const data = script.createCachedData();
      writeFileSync(`${cacheFile}.new`, Buffer.concat([digest, sha256(data), data]));
      renameSync(`${cacheFile}.new`, cacheFile);
    },
  };
}
