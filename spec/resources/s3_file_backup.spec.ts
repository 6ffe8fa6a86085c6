// s3_file_backup end to end: a bare sandbox converged from one run-list entry, the generated job
// run the way cron runs it, and the objects it uploaded restored and compared with the originals.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import {
  accountsAndCrontabs,
  expectBareWhyRun,
  restoreAsOperator,
  runLikeCron,
  s3Properties,
  secretsEnv,
} from "../support/backup-run-list.js";
import { createBucket } from "../support/s3-server.js";
import { Sandbox } from "../support/sandbox.js";

const s3 = inject("s3");

describe("s3_file_backup", () => {
  let sb: Sandbox;
  let bucket: string;
  let pristine: string;
  const accounts = () =>
    sb.sh("cat /etc/passwd /etc/shadow /etc/group /etc/gshadow; ls -A /var/spool/cron/crontabs /var/lib");
  const env = secretsEnv(s3);
  const runList = (properties: Record<string, unknown> = {}, action = "create") => ({
    run_list: [
      {
        type: "s3_file_backup",
        name: "site",
        action,
        properties: {
          assets: ["/srv/site"],
          s3: s3Properties(s3, bucket),
          cron: { minute: "15", hour: "2" },
          mailto: "ops@example.com",
          ...properties,
        },
      },
    ],
  });

  beforeAll(async () => {
    sb = await Sandbox.create();
    bucket = await createBucket(s3, "files");
    await sb.letEveryoneReach(PROJECT_ROOT);
    await sb.sh(`mkdir -p /srv/site/a/b && echo hello > /srv/site/a/b/c.txt && echo secret > /srv/site/private &&
      chmod 0640 /srv/site/private && ln -s a/b/c.txt /srv/site/link && echo x > '/srv/site/with space é.txt' &&
      chown -R daemon:daemon /srv/site && chmod 0750 /srv/site`);
    pristine = await accountsAndCrontabs(sb);
  });
  afterAll(() => sb.destroy());

  it("why-run on a bare sandbox lists every piece and writes nothing", async () => {
    await expectBareWhyRun(sb, runList(), env, "s3_file_backup[site]", [
      "system_user[backup_site]",
      "directory[/var/lib/backup_site]",
      "template_file[/var/lib/backup_site/config.yml]",
      "template_file[/var/lib/backup_site/s3-backup.sh]",
      "cron_entry[s3_file_backup site]",
    ]);
  });

  it("creates every piece with the right owners and modes, exactly as why-run said, and keeps secrets out of output and crontab", async () => {
    const changes = (stdout: string) =>
      JSON.parse(stdout).resources.map((x: { name: string; changes: unknown[] }) => [x.name, x.changes]);
    const plan = await sb.converge(runList({ groups: ["daemon"] }), ["--format", "json", "--why-run"], env);
    const r = await sb.converge(runList({ groups: ["daemon"] }), ["--format", "json"], env);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.summary).toEqual({ total: 6, updated: 5, failed: 0 });
    expect(changes(r.stdout)).toEqual(changes(plan.stdout));
    expect(r.stdout + r.stderr).not.toContain(s3.secretAccessKey);
    const st = await sb.sh(
      "stat -c '%n %U %G %a' /var/lib/backup_site /var/lib/backup_site/config.yml /var/lib/backup_site/s3-backup.sh; getent passwd backup_site; id -nG backup_site; crontab -u backup_site -l",
    );
    expect(st.stdout.split("\n")).toEqual([
      "/var/lib/backup_site backup_site backup_site 700",
      "/var/lib/backup_site/config.yml backup_site backup_site 600",
      "/var/lib/backup_site/s3-backup.sh backup_site backup_site 700",
      expect.stringMatching(/^backup_site:x:\d+:\d+::\/var\/lib\/backup_site:\/usr\/sbin\/nologin$/),
      "backup_site daemon",
      "# converge: s3_file_backup site",
      "MAILTO=ops@example.com",
      "15 2 * * * /var/lib/backup_site/s3-backup.sh",
      "MAILTO=backup_site",
      "# converge end: s3_file_backup site",
    ]);
    const again = await sb.converge(runList({ groups: ["daemon"] }), [], env);
    expect(again.stdout).toContain("converge: 0/6 resources updated");
  });

  it("the job, run as cron runs it, uploads a tree that restores identical", async () => {
    const job = await runLikeCron(sb, "backup_site", "/var/lib/backup_site/s3-backup.sh");
    expect(job.exitCode, job.stderr).toBe(0);
    const restore = await restoreAsOperator(sb, s3, "/var/lib/backup_site/config.yml", "srv_site", [
      "--to",
      "/var/tmp/restored",
    ]);
    expect(restore.exitCode, restore.stderr + restore.stdout).toBe(0);
    const tree = (root: string) =>
      `cd ${root} && find . -printf '%p %y %m %u %l\\n' | sort && find . -type f -exec sha256sum {} + | sort`;
    const original = await sb.sh(tree("/srv/site"));
    const restored = await sb.sh(`${tree("/var/tmp/restored/srv/site")}`);
    expect(restored.stdout).toBe(original.stdout);
    expect(original.stdout).toContain("./link l 777 daemon a/b/c.txt");
  });

  it("changing the hour updates only the cron entry, and says what changed", async () => {
    const r = await sb.converge(runList({ groups: ["daemon"], cron: { minute: "15", hour: "3" } }), [], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('update crontab entry: hour from "2" to "3"');
    expect(r.stdout).toContain("converge: 1/6 resources updated");
  });

  it("no cron removes the cron entry and keeps everything else (the seed's scenario)", async () => {
    const r = await sb.converge(runList({ groups: ["daemon"], cron: {} }), [], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("remove crontab entry s3_file_backup site of user backup_site");
    expect((await sb.sh("crontab -u backup_site -l 2>&1 || true")).stdout).toBe("no crontab for backup_site");
    expect((await sb.sh("test -f /var/lib/backup_site/config.yml && echo present")).stdout).toBe("present");
  });

  it("refuses to take over an existing home that belongs to someone else", async () => {
    await sb.sh(
      "mkdir -p /var/lib/spec-shared-home && echo keep > /var/lib/spec-shared-home/index.html && chown -R daemon /var/lib/spec-shared-home",
    );
    const other = runList({ home: "/var/lib/spec-shared-home" });
    other.run_list[0].name = "other";
    const r = await sb.converge(other, [], env);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      "refusing to take over /var/lib/spec-shared-home: it belongs to daemon, not backup_other",
    );
    expect(
      (await sb.sh("stat -c '%U %a' /var/lib/spec-shared-home; cat /var/lib/spec-shared-home/index.html")).stdout,
    ).toBe("daemon 755\nkeep");
    // Undo the account the failed run made before the refusal, so remove's check below sees the sandbox as it was.
    const undo = runList({ home: "/var/lib/spec-shared-home" }, "remove");
    undo.run_list[0].name = "other";
    expect((await sb.converge(undo, [], env)).stdout).toContain("refusing to delete /var/lib/spec-shared-home");
    await sb.sh("userdel backup_other; rm -rf /var/lib/spec-shared-home");
  });

  it("remove leaves the sandbox as before the first converge", async () => {
    const r = await sb.converge(runList({}, "remove"), [], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await accountsAndCrontabs(sb)).toBe(pristine);
    const again = await sb.converge(runList({}, "remove"), [], env);
    expect(again.stdout).toContain("converge: 0/5 resources updated");
  });
});
