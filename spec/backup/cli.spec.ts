// The command line around the job: the usage text only for command and flag mistakes (cron mails
// everything printed), verify's --work-dir, and a launcher that keeps the SDK's Node warning quiet.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, test } from "vitest";
import { createBucket } from "../support/s3-server.js";
import { fakeBin, jobConfig, operatorEnv, ROOT, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");

describe("usage text", () => {
  test("an asset-name clash found at run time exits 2 with one line per clash and no usage", async () => {
    const d = tempDir();
    const r = await runCli([
      "run",
      "--config",
      writeConfig(jobConfig(s3, "bucket-x", { assets: [`${d}/a_b`, `${d}/a/b`] })),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`assets "${d}/a_b" and "${d}/a/b" would share the name`);
    expect(r.stderr).not.toContain("usage:");
  });

  test.each([
    [["restore", "--config", "c.yml", "--to", "/x"], "--name NAME is required"],
    [["restore", "--config", "c.yml", "--name", "n"], "exactly one of --to DIR or --into-database DB"],
    [["verify", "--config", "c.yml", "--date", "2025-1-1"], "--date must be YYYY-MM-DD"],
    [["verify", "--config", "c.yml", "--name", "n"], "--name: unknown flag"],
  ])("a flag mistake (%j) exits 2 with the usage", async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain("usage: s3-backup");
  });
});

describe("verify --work-dir", () => {
  test("archives are unpacked under --work-dir and removed; a missing one exits 2", async () => {
    const bucket = await createBucket(s3);
    const cfg = writeConfig(jobConfig(s3, bucket, { assets: ["/etc/hostname"] }));
    expect((await runCli(["run", "--config", cfg])).code).toBe(0);
    const work = tempDir("s3b-work-");
    const log = join(tempDir(), "tar.log");
    const bin = fakeBin({ tar: `echo "$@" >> ${log}\nexec /usr/bin/tar "$@"` });
    const r = await runCli(["verify", "--config", cfg, "--work-dir", work], {
      env: { ...operatorEnv(s3), PATH: `${bin}:${process.env.PATH}` },
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(log, "utf8")).toContain(`--directory=${work}/s3-backup-verify-`);
    expect(readdirSync(work)).toEqual([]);

    const missing = await runCli(["verify", "--config", cfg, "--work-dir", join(work, "nope")], {
      env: operatorEnv(s3),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--work-dir");
    expect(missing.stderr).not.toContain("usage:");
  });
});

test("bin/s3-backup.js silences the SDK's Node version warning for commands run by hand", () => {
  const cfg = writeConfig(jobConfig(s3, "bucket-x", { assets: ["/etc/hostname"] }, { endpoint: "http://127.0.0.1:9" }));
  const env: Record<string, string | undefined> = { ...process.env, ...operatorEnv(s3) };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  const r = spawnSync(process.execPath, [join(ROOT, "bin/s3-backup.js"), "verify", "--config", cfg], {
    env,
    encoding: "utf8",
  });
  expect(r.status).toBe(1);
  expect(r.stderr.trim()).toBe("s3-backup verify shop: cannot reach the S3 endpoint (ECONNREFUSED)");
});
