// The monitoring examples a reader copies: the Prometheus alerting rules (promtool checks them
// and runs their unit tests in spec/fixtures) and the cron entry for `s3-backup status`, whose
// schedule must be valid and whose command, run by /bin/sh as cron would, must print (so cron
// mails) exactly when a backup is stale.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, test } from "vitest";
import { isCronField } from "../../providers/cron/fields.js";
import { createBucket } from "../support/s3-server.js";
import { oldRun, operatorEnv, ROOT, tempDir } from "./helpers.js";

const s3 = inject("s3");
const EXAMPLES = join(ROOT, "examples/monitoring");

describe("Prometheus alerting rules", () => {
  test("promtool accepts them, and their unit tests pass (stale, failed item, failed run fire; fresh does not)", () => {
    const check = spawnSync("promtool", ["check", "rules", join(EXAMPLES, "s3-backup.rules.yml")], {
      encoding: "utf8",
    });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain("SUCCESS: 4 rules found");
    const unit = spawnSync("promtool", ["test", "rules", join(ROOT, "spec/fixtures/s3-backup.rules.test.yml")], {
      encoding: "utf8",
    });
    expect(unit.status, unit.stdout + unit.stderr).toBe(0);
  });
});

describe("the cron entry for s3-backup status", () => {
  const lines = readFileSync(join(EXAMPLES, "s3-backup-status.cron"), "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"));
  const vars = Object.fromEntries(lines.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2)));
  const job = lines.find((l) => !/^[A-Z_]+=/.test(l))!;
  const fields = job.split(/\s+/);
  const command = fields.slice(6).join(" ");

  test("a valid /etc/cron.d line: five schedule fields, a user, and s3-backup status with --max-age", () => {
    const names = ["minute", "hour", "day", "month", "weekday"] as const;
    names.forEach((f, i) => expect(isCronField(f, fields[i]), `${f} ${fields[i]}`).toBe(true));
    expect(fields[5]).toBe("root");
    expect(command).toContain("s3-backup status --bucket example-backups --prefix backups/ --max-age 26h");
    // cron turns an unescaped % into a newline; the entry must not need one.
    expect(command).not.toContain("%");
    expect(Object.keys(vars)).toEqual(["SHELL", "PATH", "MAILTO", "AWS_PROFILE"]);
  });

  /** The command as cron's /bin/sh runs it, pointed at the test bucket; its stdout is what cron mails. */
  function runEntry(bucket: string) {
    const bin = tempDir("s3b-cron-bin-");
    // s3-backup as installed on PATH, here with the test endpoint's client preload.
    writeFileSync(join(bin, "s3-backup"), `#!/bin/sh\nexec ${process.execPath} ${ROOT}bin/s3-backup.js "$@"\n`, {
      mode: 0o755,
    });
    const cmd = command.replace("--bucket example-backups", `--bucket ${bucket} --endpoint ${s3.endpoint}`);
    return spawnSync(vars.SHELL, ["-c", cmd], {
      encoding: "utf8",
      env: {
        PATH: `${bin}:${vars.PATH}`,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        ...operatorEnv(s3),
      },
      timeout: 60_000,
    });
  }

  test("its command prints nothing while every backup is fresh, and the check's lines (for the mail) when one is stale", async () => {
    const bucket = await createBucket(s3);
    await oldRun(s3, bucket, "web1", "shop", 0);
    const quiet = runEntry(bucket);
    expect(quiet.stderr).toBe("");
    expect(quiet.stdout).toBe("");

    await oldRun(s3, bucket, "web2", "shop", 2);
    const mail = runEntry(bucket);
    expect(mail.stdout).toMatch(/^S3-BACKUP CRITICAL - 2 backups: 1 ok, 1 stale \| /);
    expect(mail.stdout).toContain("STALE web2/shop: last complete");
  });
});
