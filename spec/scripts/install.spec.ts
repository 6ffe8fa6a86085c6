// The README's install line, as written, in a throwaway namespace (overlays over /usr/local, /etc,
// /var, /home, /root): converge and s3-backup on root's PATH from a place every user can read, a
// backup converged with that converge whose job its user can run, the check that refuses a job
// its user could not run, and the uninstall.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { runLikeCron, s3Properties, secretsEnv } from "../support/backup-run-list.js";
import { readmeCommands } from "../support/readme.js";
import { jsonReport } from "../support/run-lists.js";
import { createBucket } from "../support/s3-server.js";
import { Sandbox } from "../support/sandbox.js";

const s3 = inject("s3");

describe("scripts/install.sh", () => {
  let sb: Sandbox;
  let bucket: string;
  const installLine = readmeCommands("Install")[0];
  const backup = (name: string) => ({
    run_list: [
      {
        type: "s3_file_backup",
        name,
        properties: { assets: ["/etc/hostname"], s3: s3Properties(s3, bucket) },
      },
    ],
  });
  beforeAll(async () => {
    sb = await Sandbox.create({ extraLayers: ["usr/local"] });
    bucket = await createBucket(s3, "install");
  });
  afterAll(() => sb.destroy());

  it("the README's line installs converge and s3-backup on root's PATH, readable and runnable by every user", async () => {
    expect(installLine).toBe("bash scripts/install.sh");
    const r = await sb.sh(installLine);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("install: converge and s3-backup 0.1.0 installed in /usr/local/lib/s3-converge");
    const which = await sb.sh("command -v converge s3-backup; converge --version");
    expect(which.stdout).toBe("/usr/local/bin/converge\n/usr/local/bin/s3-backup\nconverge 0.1.0");
    const nobody = await sb.exec([
      "setpriv",
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      "--",
      "/usr/local/bin/s3-backup",
      "--version",
    ]);
    expect(nobody).toMatchObject({ exitCode: 0, stdout: "s3-backup 0.1.0" });
    // Root's, and nobody else may change it.
    const writable = await sb.sh(
      "find /usr/local/lib/s3-converge \\( -perm /022 -o ! -user root \\) ! -type l | head -n 3",
    );
    expect(writable.stdout).toBe("");
  }, 600_000);

  it("an upgrade that fails at its swap leaves the installed tree in place, and nothing behind", async () => {
    // A fault at the one step between moving the old tree aside and the new one in.
    const fake = await sb.sh(
      "mkdir -p /root/fault-bin && printf '%s\\n' '#!/bin/sh' " +
        '\'case "$1" in */package) echo "mv: simulated failure" >&2; exit 1;; esac\' \'exec /bin/mv "$@"\' ' +
        "> /root/fault-bin/mv && chmod 755 /root/fault-bin/mv",
    );
    expect(fake.exitCode, fake.stderr).toBe(0);
    const r = await sb.sh(`PATH=/root/fault-bin:$PATH ${installLine}`);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("mv: simulated failure");
    const after = await sb.sh("converge --version && ls -A /usr/local/lib | grep converge");
    expect(after.stdout).toBe("converge 0.1.0\ns3-converge");
  }, 600_000);

  it("a backup converged by the installed converge runs as cron would run it", async () => {
    const file = sb.runList(backup("site"));
    const r = await sb.exec(["converge", file], { env: secretsEnv(s3) });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("* access_check[s3_file_backup site] action create (up to date)");
    expect((await sb.sh("cat /var/lib/backup_site/s3-backup.sh")).stdout).toContain(
      "'/usr/local/lib/s3-converge/bin/s3-backup.js'",
    );
    const job = await runLikeCron(sb, "backup_site", "/var/lib/backup_site/s3-backup.sh");
    expect(job.exitCode, job.stderr).toBe(0);
  }, 300_000);

  it("from a copy the backup user cannot reach (under /root), the backup fails its check, in why-run too, saying what to do", async () => {
    await sb.sh("chmod 0700 /root && cp -a /usr/local/lib/s3-converge /root/s3-converge");
    const file = sb.runList(backup("other"), "other.json");
    for (const flags of [["--why-run"], []]) {
      const r = await sb.exec(
        [process.execPath, "/root/s3-converge/bin/converge.js", file, "--format", "json", ...flags],
        { env: secretsEnv(s3) },
      );
      expect(r.exitCode).toBe(1);
      const failed = jsonReport(r).resources.find((x) => x.status === "failed")!;
      expect(failed.type).toBe("access_check");
      expect(failed.error).toContain(
        "backup_other cannot: /root (mode 0700, owner root:root) does not let it through to /root/s3-converge/bin/s3-backup.js",
      );
      expect(failed.error).toContain("bash scripts/install.sh");
    }
  }, 300_000);

  it("--uninstall removes the code and the links, and leaves what converge made", async () => {
    const r = await sb.sh("bash scripts/install.sh --uninstall");
    expect(r.exitCode, r.stderr).toBe(0);
    const left = await sb.sh(
      "command -v converge s3-backup || true; ls -A /usr/local/lib | grep s3-converge || true; test -f /var/lib/backup_site/config.yml && echo kept",
    );
    expect(left.stdout).toBe("kept");
  }, 120_000);
});
