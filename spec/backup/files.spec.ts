// File backups end to end: the CLI streams a tree into s3rver, and the object restores to an
// identical tree (content, modes, symlink target), for each compression.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, test } from "vitest";
import { createBucket } from "../support/s3-server.js";
import { getObject, jobConfig, listKeys, operatorEnv, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");

function makeTree(): string {
  const root = join(tempDir("s3b-src-"), "www");
  mkdirSync(join(root, "a/b/c"), { recursive: true });
  writeFileSync(join(root, "a/b/c/deep.txt"), "deep\n");
  writeFileSync(join(root, "a/with space and ünïcödé ✓.txt"), "unicode name\n");
  writeFileSync(join(root, "secret.key"), "0600 file\n");
  chmodSync(join(root, "secret.key"), 0o600);
  writeFileSync(join(root, "big.bin"), Buffer.alloc(3 * 1024 * 1024, 7));
  symlinkSync("a/b/c/deep.txt", join(root, "link-to-deep"));
  chmodSync(join(root, "a/b"), 0o750);
  return root;
}

/** Every path under root with its type, mode, uid, and content hash or link target. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    const p = join(root, rel);
    const st = lstatSync(p);
    const what = st.isSymbolicLink()
      ? `link:${readlinkSync(p)}`
      : st.isFile()
        ? `file:${createHash("sha256").update(readFileSync(p)).digest("hex")}`
        : "dir";
    out[rel || "."] = `${what} mode=${(st.mode & 0o7777).toString(8)} uid=${st.uid} gid=${st.gid}`;
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(rel ? join(rel, n) : n);
  };
  walk("");
  return out;
}

const DECOMPRESS: Record<string, string[]> = { zstd: ["zstd", "-d", "-c"], gzip: ["gzip", "-d", "-c"], none: ["cat"] };

describe("file backup", () => {
  test.each(["zstd", "gzip", "none"])(
    "a tree round-trips through the bucket with %s (content, modes, symlink, unicode names)",
    async (compression) => {
      const bucket = await createBucket(s3);
      const src = makeTree();
      const cfg = writeConfig(jobConfig(s3, bucket, { compression, assets: [src] }));
      const r = await runCli(["run", "--config", cfg]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);

      const keys = await listKeys(s3, bucket);
      const ext = { zstd: ".tar.zst", gzip: ".tar.gz", none: ".tar" }[compression]!;
      const data = keys.filter((k) => !k.endsWith(".manifest.json"));
      expect(data).toHaveLength(1);
      expect(data[0]).toMatch(
        new RegExp(
          `^backups/monthly/\\d{4}-\\d{2}-\\d{2}/web1/${src
            .slice(1)
            .replace(/[/]/g, "_")
            .replace(/[^A-Za-z0-9._-]/g, "_")}--[A-Za-z0-9_-]{64}\\${ext}$`,
        ),
      );

      // Unpack with the system tools, independently of the job's restore code.
      const object = await getObject(s3, bucket, data[0]);
      const tar = spawnSync(DECOMPRESS[compression][0], DECOMPRESS[compression].slice(1), {
        input: object,
        maxBuffer: 1 << 30,
      });
      expect(tar.status).toBe(0);
      const out = tempDir("s3b-out-");
      const x = spawnSync("tar", ["-x", "-p", "-C", out], { input: tar.stdout });
      expect(x.status).toBe(0);
      expect(snapshot(join(out, src))).toEqual(snapshot(src));
    },
  );

  test("restore --to DIR brings back the newest backup of an asset, checked against the manifest", async () => {
    const bucket = await createBucket(s3);
    const src = makeTree();
    const cfg = writeConfig(jobConfig(s3, bucket, { assets: [src] }));
    expect((await runCli(["run", "--config", cfg])).code).toBe(0);
    writeFileSync(join(src, "a/b/c/deep.txt"), "changed after the first run\n");
    expect((await runCli(["run", "--config", cfg])).code).toBe(0);

    const to = join(tempDir("s3b-restore-"), "target");
    const name = src.slice(1).replace(/[^A-Za-z0-9._-]+/g, "_");
    const r = await runCli(["restore", "--config", cfg, "--name", name, "--to", to], { env: operatorEnv(s3) });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sha256 verified/);
    expect(snapshot(join(to, src))).toEqual(snapshot(src));

    const drill = await runCli(["verify", "--config", cfg], { env: operatorEnv(s3) });
    expect(drill.stderr).toBe("");
    expect(drill.code).toBe(0);
    expect(drill.stdout).toMatch(/identical to live/);
  });

  test("the first successful run of a month goes to monthly/, the next to daily/, and the manifest's SHA-256 values match the objects", async () => {
    const bucket = await createBucket(s3);
    const src = makeTree();
    const config = jobConfig(s3, bucket, { assets: [src, "/etc/hostname"] });
    const cfg = writeConfig(config);
    const first = await runCli(["run", "--config", cfg]);
    expect(first.code).toBe(0);
    const second = await runCli(["run", "--config", cfg]);
    expect(second.code).toBe(0);

    const keys = await listKeys(s3, bucket);
    const monthly = keys.filter((k) => k.startsWith("backups/monthly/"));
    const daily = keys.filter((k) => k.startsWith("backups/daily/"));
    expect(monthly).toHaveLength(3); // two objects and the manifest
    expect(daily).toHaveLength(3);
    expect(first.stdout).toMatch(/\(monthly\)/);
    expect(second.stdout).toMatch(/\(daily\)/);

    for (const manifestKey of keys.filter((k) => k.endsWith(".manifest.json"))) {
      const manifest = JSON.parse((await getObject(s3, bucket, manifestKey)).toString());
      expect(manifest.complete).toBe(true);
      expect(manifest.objects).toHaveLength(2);
      for (const o of manifest.objects) {
        const body = await getObject(s3, bucket, o.key);
        expect(o.sha256).toBe(createHash("sha256").update(body).digest("hex"));
        expect(o.bytes).toBe(body.length);
        expect(o.exits).toEqual([
          { what: "tar", code: 0 },
          { what: "zstd", code: 0 },
        ]);
      }
    }
  });
});
