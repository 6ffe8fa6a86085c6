// A file written while tar reads it (a log being appended to). on_change "fail" (the default):
// no object, exit 1, and the message says what "warn" would do. on_change "warn": the object is
// completed, the file is named in the manifest and on stderr, and the run exits 0; any other tar
// complaint still fails the asset.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { changeIn } from "../../backup/producers/tar.js";
import { createBucket } from "../support/s3-server.js";
import { assetOf, bucketState, objectsOf } from "./fault-helpers.js";
import { jobConfig, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");
let writer: ChildProcess | undefined;
afterEach(() => writer?.kill());

/** A directory with a 30 MB log that a background process appends to every few milliseconds. */
function liveDirectory(): { dir: string; log: string } {
  const dir = assetOf(1024, "live");
  const log = join(dir, "app.log");
  writeFileSync(log, Buffer.alloc(30 * 1024 * 1024, "x"));
  writer = spawn("sh", ["-c", `while :; do echo line >> '${log}'; sleep 0.002; done`], { stdio: "ignore" });
  return { dir, log };
}

async function backUp(asset: unknown) {
  const bucket = await createBucket(s3);
  const r = await runCli([
    "run",
    "--config",
    writeConfig(jobConfig(s3, bucket, { compression: "none", assets: [asset] })),
  ]);
  return { ...r, state: await bucketState(s3, bucket) };
}

describe("files that change while they are read", () => {
  test('on_change "fail" (the default): no object, exit 1, naming the file and the choice', async () => {
    const { dir, log } = liveDirectory();
    const r = await backUp(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`.${log}: file changed as we read it`);
    expect(r.stderr).toContain('on_change: "warn" would keep such a copy');
    expect(objectsOf(r.state, dir)).toEqual([]);
    expect(r.state.manifests[0].objects[0]).toMatchObject({ ok: false, changed_files: [{ path: log }] });
  }, 120_000);

  test('on_change "warn": the object is kept, the file named in the manifest and on stderr, exit 0', async () => {
    const { dir, log } = liveDirectory();
    const r = await backUp({ path: dir, on_change: "warn" });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: ${dir.slice(1).replace(/\//g, "_")}: ${log} changed while it was read; its copy may be torn`,
    );
    expect(objectsOf(r.state, dir)).toHaveLength(1);
    const entry = r.state.manifests[0].objects[0];
    expect(entry).toMatchObject({ ok: true, changed_files: [{ path: log, note: "changed while it was read" }] });
    expect(entry.exits[0]).toEqual({ what: "tar", code: 1 });
  }, 120_000);

  test('on_change "warn" forgives only changes: a path that cannot be read still fails', async () => {
    const missing = join(tempDir("s3b-gone-"), "not-there");
    const r = await backUp({ path: missing, on_change: "warn" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED \S*not-there .*tar exited 2/);
  }, 120_000);

  test("tar's messages about files that moved are read as such, and nothing else is", () => {
    expect(changeIn("tar: ./var/log/app.log: file changed as we read it")).toEqual({
      path: "/var/log/app.log",
      note: "changed while it was read",
    });
    expect(changeIn("tar: ./srv/db.sqlite: File shrank by 4096 bytes; padding with zeros")).toEqual({
      path: "/srv/db.sqlite",
      note: "shrank by 4096 bytes while it was read (padded with zeros)",
    });
    expect(changeIn("tar: ./srv/tmp/x: File removed before we read it")?.note).toBe("removed before it was read");
    expect(changeIn("tar: ./srv/secret: Cannot open: Permission denied")).toBeUndefined();
  });
});
