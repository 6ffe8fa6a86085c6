// converge runs its bundle with V8's code cache written at build time (engine/code-cache.ts). V8
// checks a cache against the length of the text only, so the cache carries the text's digest: a
// bundle changed since, even to one of the same length, must run as it now reads.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { loadBundle } from "../../engine/code-cache.js";
import { PROJECT_ROOT } from "../../engine/paths.js";

// Called at load, so V8 compiles it eagerly and its code is in the cache.
const bundleText = (answer: string) =>
  `const answer = (function () { return "${answer}"; })();\n` +
  `const beside = require("node:url").pathToFileURL(require("node:path").join(__dirname, "beside.mjs")).href;\n` +
  `module.exports = { answer: () => answer, file: __filename, later: () => __importExternal(beside) };\n`;

describe("the code cache beside a bundle", () => {
  let file: string;
  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), "code-cache-"));
    file = join(dir, "bundle.cjs");
    writeFileSync(file, bundleText("forty-two"));
    writeFileSync(join(dir, "beside.mjs"), "export const found = 'beside';\n");
    loadBundle(file).writeCache();
  });

  it("is used when it was written for this very text", () => {
    const b = loadBundle(file);
    expect(b.cacheUsed).toBe(true);
    expect((b.exports.answer as () => string)()).toBe("forty-two");
    expect(b.exports.file).toBe(file);
  });

  it("is ignored once the bundle changed, even to a text of the same length, and the new text runs", () => {
    writeFileSync(file, bundleText("forty-one"));
    const b = loadBundle(file);
    expect(b.cacheUsed).toBe(false);
    expect((b.exports.answer as () => string)()).toBe("forty-one");
  });

  it("is ignored when damaged or missing, and the bundle still runs", () => {
    // One byte flipped in V8's part: V8 itself may take it (a release build does not checksum it).
    const cache = readFileSync(`${file}.cache`);
    cache[cache.length - 1] ^= 0xff;
    writeFileSync(`${file}.cache`, cache);
    const damaged = loadBundle(file);
    expect(damaged.cacheUsed).toBe(false);
    expect((damaged.exports.answer as () => string)()).toBe("forty-two");
    writeFileSync(`${file}.cache`, cache.subarray(0, 40));
    expect(loadBundle(file).cacheUsed).toBe(false);
    writeFileSync(`${file}.cache`, "");
    expect(loadBundle(file).cacheUsed).toBe(false);
  });

  it("gives the bundle an import() that works in code from the cache, in a new process, without a warning", () => {
    // Compiled and cached once the import has run, as the build's warm-up does.
    const b = loadBundle(file);
    return (b.exports.later as () => Promise<unknown>)().then(() => {
      b.writeCache();
      const script = `const { loadBundle } = await import(${JSON.stringify(join(PROJECT_ROOT, "dist/engine/code-cache.js"))});
        const b = loadBundle(${JSON.stringify(file)});
        console.log(b.cacheUsed, (await b.exports.later()).found);`;
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe("true beside\n");
    });
  });

  it("gives way to Node's own loading when stack traces are to name the sources (--enable-source-maps)", () => {
    // Line 3 of the bundle is line 11 of src.ts, by the map beside it.
    writeFileSync(
      file,
      '"use strict";\nmodule.exports.boom = function () {\n  throw new Error("boom");\n};\n//# sourceMappingURL=bundle.cjs.map\n',
    );
    writeFileSync(
      `${file}.map`,
      JSON.stringify({ version: 3, sources: ["src.ts"], names: [], mappings: "AAAA;AASA;AACA" }),
    );
    loadBundle(file).writeCache();
    const script = `const { loadBundle } = await import(${JSON.stringify(join(PROJECT_ROOT, "dist/engine/code-cache.js"))});
      const b = loadBundle(${JSON.stringify(file)});
      try { b.exports.boom(); } catch (e) { console.log(b.cacheUsed, e.stack.split("\\n")[1].trim()); }`;
    const run = (flags: string[]) =>
      spawnSync(process.execPath, [...flags, "--input-type=module", "-e", script], { encoding: "utf8" }).stdout;
    expect(run([])).toMatch(/^true at .*bundle\.cjs:3:/);
    expect(run(["--enable-source-maps"])).toMatch(/^false at .*src\.ts:11:/);
  });

  it("the built converge bundle has one, and V8 takes it", () => {
    const bundle = join(PROJECT_ROOT, "dist/bundle/converge.cjs");
    expect(existsSync(`${bundle}.cache`), "run `npm run build` first").toBe(true);
    const b = loadBundle(bundle);
    expect(b.cacheUsed).toBe(true);
    expect(typeof b.exports.main).toBe("function");
  });
});
