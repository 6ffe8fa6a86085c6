// A full disk under the job's state directory (a tiny tmpfs, filled, in a private mount
// namespace): the backups still go up, since they need no local space; the run says what it could
// not record and exits 1; and nothing is left behind: no lock file, no journal, no temporary file.
import { execa } from "execa";
import { join } from "node:path";
import { expect, inject, test } from "vitest";
import { createBucket } from "../support/s3-server.js";
import { assetOf, BIG, bucketState } from "./fault-helpers.js";
import { jobConfig, ROOT, writeConfig } from "./helpers.js";

const s3 = inject("s3");

test("ENOSPC in the state directory: objects and manifest uploaded, exit 1 naming it, nothing left behind", async () => {
  const bucket = await createBucket(s3);
  const [big, small] = [assetOf(BIG, "big"), assetOf(1024, "small")];
  const config = jobConfig(s3, bucket, { compression: "none", assets: [big, small] });
  const script = `
    mount -t tmpfs -o size=64k,mode=0700 tmpfs "$STATE"
    dd if=/dev/zero of="$STATE/filler" bs=4k 2>/dev/null || true
    "$@"; code=$?
    echo "LEFT: $(ls -A "$STATE" | tr '\\n' ' ')"
    exit $code`;
  const r = await execa(
    "unshare",
    [
      ...["--mount", "--fork", "--", "bash", "-c", script, "_"],
      ...[process.execPath, join(ROOT, "bin/s3-backup.js")],
      ...["run", "--config", writeConfig(config)],
    ],
    {
      reject: false,
      timeout: 120_000,
      env: {
        STATE: config.state_dir,
        S3_BACKUP_NO_SYSLOG: "1",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
    },
  );
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toMatch(
    /FAILED \(monthly\): 2\/2 objects backed up .*state: cannot record this month's monthly backup: ENOSPC/,
  );
  expect(r.stderr).toMatch(/state: cannot save \S+uploads.json: ENOSPC/);
  expect(r.stdout).toMatch(/^LEFT: filler $/m);
  const state = await bucketState(s3, bucket);
  expect(state.manifests.map((m) => m.complete)).toEqual([true]);
  expect(state.objects.size).toBe(2);
  expect(state.incomplete).toEqual([]);
}, 180_000);
