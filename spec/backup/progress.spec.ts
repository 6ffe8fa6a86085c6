// `s3-backup run` at a terminal shows each asset's progress; under cron (no terminal) it prints
// only its summary and errors. The terminal is a real pseudo-terminal from util-linux's script(1).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, test } from "vitest";
import { progressLine } from "../../backup/progress.js";
import { createBucket } from "../support/s3-server.js";
import { fakeBin, jobConfig, ROOT, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");

/** A tar that streams its archive slowly (about 2 s), so a terminal sees the line redrawn. */
const slowTar = () =>
  fakeBin({
    tar: `/usr/bin/tar "$@" > /dev/null || exit $?
for i in 1 2 3 4 5; do head -c 200000 /dev/urandom; sleep 0.4; done`,
  });

describe("progress", () => {
  async function setup() {
    const bucket = await createBucket(s3);
    const src = tempDir("s3b-progress-");
    writeFileSync(join(src, "a.txt"), "a\n");
    const cfg = writeConfig(jobConfig(s3, bucket, { assets: [src], compression: "none" }));
    return { cfg, name: src.slice(1).replace(/[^A-Za-z0-9._-]+/g, "_") };
  }

  test("at a terminal: the asset's line is redrawn in place with bytes sent, rate and elapsed, then the ok line", async () => {
    const { cfg, name } = await setup();
    const cli = `${process.execPath} ${join(ROOT, "bin/s3-backup.js")} run --config ${cfg}`;
    const r = spawnSync("script", ["-qec", cli, "/dev/null"], {
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${slowTar()}:${process.env.PATH}`,
        S3_BACKUP_NO_SYSLOG: "1",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
      timeout: 60_000,
    });
    expect(r.status, r.stdout).toBe(0);
    const redraws = r.stdout.split("\r\x1b[K").filter((l) => l.startsWith(`  ${name}: `));
    expect(redraws.length).toBeGreaterThanOrEqual(3);
    expect(redraws.at(-1)).toMatch(
      new RegExp(`^  ${name}: \\d+(\\.\\d)? (B|KiB|MiB) sent, \\S+ (B|KiB|MiB)/s, 0:0\\d`),
    );
    expect(r.stdout).toMatch(new RegExp(`\\r\\x1b\\[Ks3-backup shop: ok ${name} \\(`));
    expect(r.stdout).toContain("s3-backup shop: 1/1 objects backed up");
  });

  test("without a terminal (cron): the summary alone on stdout, nothing on stderr, no redraws", async () => {
    const { cfg } = await setup();
    const r = await runCli(["run", "--config", cfg], { env: { PATH: `${slowTar()}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).not.toContain("\r");
    expect(r.stdout.trimEnd().split("\n")).toEqual([expect.stringMatching(/^s3-backup shop: 1\/1 objects backed up/)]);
  });

  test("the line: read and percent where known, sent, rate, elapsed", () => {
    expect(progressLine("db", 3 * 2 ** 20, 3_000, 12 * 2 ** 20, 30 * 2 ** 20)).toBe(
      "  db: 12.0 MiB read (40%), 3.0 MiB sent, 1.0 MiB/s, 0:03",
    );
    expect(progressLine("db", 512, 61_000)).toBe("  db: 512 B sent, 8 B/s, 1:01");
  });
});
