// Backup properties that land in a crontab, a shell script, config.yml, an IAM policy or
// mysqldump's argv: a home that holds "$(...)", a blank or "%" is quoted so that cron runs
// exactly the script (checked under sh, dash and bash as cron runs the line, then once under a
// real cron daemon); a prefix IAM reads as a wildcard and a database entry that would become an
// option are refused up front; a secret that a name holds is refused rather than masked.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseJob } from "../../providers/cron/blocks.js";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { s3Properties, secretsEnv } from "../support/backup-run-list.js";
import { shellText } from "../support/cron-model.js";
import { entry, expectConverged, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";

const s3 = inject("s3");
const env = secretsEnv(s3);
// World-writable, so that a substitution run as the backup user would leave it behind.
const PWNED = "/var/tmp/spec-pwned";

// name, user and a home an attacker (or a careless hand) might write.
const HOMES: [string, string, string][] = [
  ["subst", "bk_subst", `/var/lib/bk$(touch\${IFS}${PWNED})`],
  ["space", "bk_space", "/var/lib/bk space"],
  ["percent", "bk_pct", "/var/lib/bk%50"],
];
const backup = (name: string, properties: Record<string, unknown>) =>
  entry("s3_file_backup", name, {
    assets: ["/etc/hostname"],
    s3: s3Properties(s3, "spec-hostile"),
    cron: { minute: "*" },
    ...properties,
  });

describe("backup properties that land in a crontab, a policy or an argv", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create();
    const doc = runList(...HOMES.map(([name, user, home]) => backup(name, { user, home })));
    expectConverged(await sb.converge(doc, [], env), HOMES.length * 5);
    // The job itself would need S3; for the quoting, a script that says it ran is enough.
    for (const [, , home] of HOMES)
      await sb.exec([
        "sh",
        "-c",
        'printf \'#!/bin/sh\\necho ran >> "$(dirname "$0")/ran"\\n\' > "$1"',
        "_",
        `${home}/s3-backup.sh`,
      ]);
  });
  afterAll(() => sb.destroy());

  /** The command text of the user's job line, as cron hands it to the shell ("%" handled). */
  const jobText = async (user: string) => {
    const crontab = (await sb.exec(["cat", `/var/spool/cron/crontabs/${user}`])).stdout;
    const line = crontab.split("\n").find((l) => parseJob(l) !== undefined)!;
    return shellText(parseJob(line)!.text);
  };

  it.each(["sh", "dash", "bash"])("under %s, each job line runs exactly its script and nothing else", async (shell) => {
    for (const [, user, home] of HOMES) {
      await sb.exec(["rm", "-f", `${home}/ran`]);
      const r = await sb.exec(["runuser", "-u", user, "--", `/bin/${shell}`, "-c", await jobText(user)]);
      expect(r.exitCode, `${home}: ${r.stderr}`).toBe(0);
      expect((await sb.exec(["cat", `${home}/ran`])).stdout, home).toBe("ran");
    }
    expect((await sb.exec(["test", "-e", PWNED])).exitCode, "the $(...) in a home ran").not.toBe(0);
  });

  it("under a real cron daemon, each job runs its script and nothing else", { timeout: 150_000 }, async () => {
    const homes = HOMES.map(([, , home]) => `'${home.replace(/'/g, `'\\''`)}'`).join(" ");
    // A private pid namespace: cron dies with it. Its jobs run on the minute, so wait up to two.
    const r = await sb.exec([
      "unshare",
      "--pid",
      "--fork",
      "--mount-proc",
      "bash",
      "-c",
      `for h in ${homes}; do rm -f "$h/ran"; done
       cron -f &
       for i in $(seq 130); do
         n=0; for h in ${homes}; do [ -s "$h/ran" ] && n=$((n+1)); done
         [ "$n" = ${HOMES.length} ] && break; sleep 1
       done
       for h in ${homes}; do printf '%s=%s\\n' "$h" "$(cat "$h/ran" 2>/dev/null | head -1)"; done
       test -e ${PWNED} && echo PWNED; true`,
    ]);
    expect(r.stdout.trim().split("\n")).toEqual(HOMES.map(([, , home]) => `${home}=ran`));
  });

  it("refuses a prefix that IAM would read as a wildcard, before anything is touched", async () => {
    const before = await sb.snapshot();
    const r = await sb.converge(
      runList(backup("star", { s3: { ...s3Properties(s3, "spec-hostile"), prefix: "*" } })),
      [],
      env,
    );
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'run_list/0 (s3_file_backup[star]) properties/s3/prefix: must be a key prefix of segments of letters, digits, _, - and . (not first), separated by / (no "*", "?" or "$", which IAM reads as wildcards and variables), got "*"',
    );
    expect(await sb.snapshot()).toEqual(before);
  });

  it("refuses a database entry that mysqldump would take as an option", async () => {
    const before = await sb.snapshot();
    const dump = entry("s3_mysql_backup", "opt", {
      s3: s3Properties(s3, "spec-hostile"),
      mysql: { password: { env: "DB_PASSWORD" } },
      databases: ["shop --no-data"],
    });
    const r = await sb.converge(runList(dump), [], env);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain("run_list/0 (s3_mysql_backup[opt]) properties/databases/0: must be a database name");
    expect(await sb.snapshot()).toEqual(before);
  });

  it("refuses a home with ':', which would break /etc/passwd", async () => {
    const r = await sb.converge(runList(backup("colon", { user: "bk_colon", home: "/var/lib/bk:x" })), [], env);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain('properties/home: must be an absolute path without ":" (it lands in /etc/passwd)');
  });

  it("writes the script with every path in it quoted for the shell", async () => {
    const home = HOMES[0][2];
    const r = await sb.converge(runList(backup("subst", { user: "bk_subst", home })), ["--why-run"], env);
    expect(r.stdout).toContain(
      `+exec '${process.execPath}' '${PROJECT_ROOT}/bin/s3-backup.js' run --config '${home}/config.yml'`,
    );
  });
});

describe("a secret that a name holds", () => {
  let sb: Sandbox;
  beforeAll(async () => void (sb = await Sandbox.create()));
  afterAll(() => sb.destroy());
  const shop = (password: string) => ({
    ...env,
    DB_PASSWORD: password,
  });
  const dump = (name: string) =>
    runList(
      entry("s3_mysql_backup", name, {
        s3: s3Properties(s3, "spec-hostile"),
        mysql: { password: { env: "DB_PASSWORD" } },
        databases: ["shop"],
      }),
    );

  it.each([
    ["shop", "shop", "shorter than 8 characters"],
    [
      "inventory",
      "inventory-eu",
      "the secret occurs in the name of a resource (s3_mysql_backup) declared by run_list/0",
    ],
    ["backup_web", "web", "the secret occurs in the name of a resource (system_user) declared by run_list/0"],
  ])("is refused (password %j, backup %j), and no output masks a name", async (password, name, why) => {
    const before = await sb.snapshot();
    const r = await sb.converge(dump(name), ["--why-run"], shop(password));
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`properties/mysql/password: ${why}`);
    expect(r.stdout + r.stderr).not.toContain("********");
    expect(await sb.snapshot()).toEqual(before);
  });
});
