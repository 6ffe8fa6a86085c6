// s3_mysql_backup end to end on a private MariaDB: one run-list entry makes the user, the dump
// account, .my.cnf, config, script and cron job; the job run as cron runs it uploads dumps that
// restore to identical rows; remove gives back the machine and the server as they were.
import { randomBytes } from "node:crypto";
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
import { sqlAsRoot } from "../support/mariadb.js";
import { listKeys } from "../backup/helpers.js";
import { createBucket } from "../support/s3-server.js";
import { Sandbox } from "../support/sandbox.js";

const s3 = inject("s3");
const { socket } = inject("mariadb");
const id = randomBytes(3).toString("hex");
const shop = `shop_${id}`;
const blog = `wp${id}_blog`;
const other = `other_${id}`;

describe("s3_mysql_backup", () => {
  let sb: Sandbox;
  let bucket: string;
  let otherBucket: string;
  let pristine: string;
  const env = secretsEnv(s3);
  // Only this backup's account: other specs create accounts on the same server at the same time.
  const serverAccounts = () =>
    sqlAsRoot(socket, "SELECT CONCAT(user, '@', host) FROM mysql.user WHERE user = 'backup_shop'").join("\n");
  const runList = (properties: Record<string, unknown> = {}, action = "create") => ({
    run_list: [
      {
        type: "s3_mysql_backup",
        name: "shop",
        action,
        properties: {
          mysql: { password: { env: "DB_PASSWORD" }, admin: { socket } },
          databases: [shop, `wp${id}_%`],
          s3: s3Properties(s3, bucket),
          cron: { minute: "45", hour: "2" },
          mailto: "dba@example.com",
          ...properties,
        },
      },
    ],
  });
  const checksums = (db: string, tables: string[]) =>
    sqlAsRoot(socket, `CHECKSUM TABLE ${tables.map((t) => `\`${db}\`.${t}`).join(", ")}`).map((r) => r[1]);

  beforeAll(async () => {
    sb = await Sandbox.create();
    [bucket, otherBucket] = await Promise.all([createBucket(s3, "mysql"), createBucket(s3, "other")]);
    await sb.letEveryoneReach(PROJECT_ROOT);
    sqlAsRoot(
      socket,
      `CREATE DATABASE ${shop}; CREATE TABLE ${shop}.products (id INT PRIMARY KEY, name VARCHAR(80) CHARACTER SET utf8mb4, price DECIMAL(8,2));
       INSERT INTO ${shop}.products VALUES (1, 'Teapot', 24.50), (2, 'Crème brûlée torch', 19.99), (3, 'O''Brien\\'s kettle', 39.00);
       CREATE DATABASE ${blog}; CREATE TABLE ${blog}.posts (id INT PRIMARY KEY, body TEXT); INSERT INTO ${blog}.posts VALUES (1, 'hello');
       CREATE DATABASE ${other}; CREATE TABLE ${other}.t (id INT PRIMARY KEY); INSERT INTO ${other}.t VALUES (7);`,
    );
    pristine = `${serverAccounts()}\n${await accountsAndCrontabs(sb)}`;
  });
  afterAll(async () => {
    sqlAsRoot(
      socket,
      `DROP DATABASE IF EXISTS ${shop}; DROP DATABASE IF EXISTS ${blog}; DROP DATABASE IF EXISTS ${other}; DROP DATABASE IF EXISTS restored_${id}`,
    );
    await sb.destroy();
  });

  it("why-run on a bare machine lists all seven pieces and changes neither the machine nor the server", async () => {
    await expectBareWhyRun(sb, runList(), env, "s3_mysql_backup[shop]", [
      "system_user[backup_shop]",
      "directory[/var/lib/backup_shop]",
      "template_file[/var/lib/backup_shop/config.yml]",
      "mysql_user[backup_shop]",
      "template_file[/var/lib/backup_shop/.my.cnf]",
      "template_file[/var/lib/backup_shop/s3-backup.sh]",
      "cron_entry[s3_mysql_backup shop]",
    ]);
    expect(`${serverAccounts()}\n${await accountsAndCrontabs(sb)}`).toBe(pristine);
  });

  it("creates everything, secrets in 0600 files of the backup user and nowhere else", async () => {
    const r = await sb.converge(runList(), [], env);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    for (const secret of [env.DB_PASSWORD, env.S3_SECRET]) expect(r.stdout + r.stderr).not.toContain(secret);
    const files = await sb.sh(
      "cd /var/lib/backup_shop && stat -c '%n %U %a' .my.cnf config.yml s3-backup.sh; crontab -u backup_shop -l",
    );
    expect(files.stdout).toBe(
      [
        ".my.cnf backup_shop 600",
        "config.yml backup_shop 600",
        "s3-backup.sh backup_shop 700",
        "# converge: s3_mysql_backup shop",
        "MAILTO=dba@example.com",
        "45 2 * * * /var/lib/backup_shop/s3-backup.sh",
        "MAILTO=backup_shop",
        "# converge end: s3_mysql_backup shop",
      ].join("\n"),
    );
    expect(serverAccounts()).toContain("backup_shop@localhost");
    const again = await sb.converge(runList(), [], env);
    expect(again.stdout).toContain("converge: 0/8 resources updated");
  });

  it("the job, run as cron runs it, uploads dumps that restore to identical rows; other databases are not in it", async () => {
    const job = await runLikeCron(sb, "backup_shop", "/var/lib/backup_shop/s3-backup.sh");
    expect(job.exitCode, job.stdout + job.stderr).toBe(0);
    const keys = await listKeys(s3, bucket);
    expect(keys.some((k) => k.includes(`/${shop}--`))).toBe(true);
    expect(keys.some((k) => k.includes(`/${blog}--`))).toBe(true);
    expect(keys.some((k) => k.includes(`/${other}--`))).toBe(false);
    const restore = await restoreAsOperator(sb, s3, "/var/lib/backup_shop/config.yml", shop, [
      "--into-database",
      `restored_${id}`,
    ]);
    expect(restore.exitCode, restore.stdout + restore.stderr).toBe(0);
    expect(checksums(`restored_${id}`, ["products"])).toEqual(checksums(shop, ["products"]));
  });

  it("a changed bucket updates only config.yml; an added database updates config.yml and the grants", async () => {
    const moved = await sb.converge(runList({ s3: s3Properties(s3, otherBucket) }), [], env);
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect(moved.stdout).toContain("converge: 1/8 resources updated");
    expect(moved.stdout).toContain(
      "update content in file /var/lib/backup_shop/config.yml (sensitive: diff suppressed)",
    );
    const added = await sb.converge(
      runList({ s3: s3Properties(s3, otherBucket), databases: [shop, `wp${id}_%`, other] }),
      [],
      env,
    );
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stdout).toContain("converge: 2/8 resources updated");
    expect(added.stdout).toMatch(/\* mysql_user\[backup_shop\] action create\n\s+- grant .*SELECT/);
  });

  it("remove gives back the machine and the server as before the first converge, idempotently", async () => {
    const r = await sb.converge(runList({}, "remove"), [], env);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(`${serverAccounts()}\n${await accountsAndCrontabs(sb)}`).toBe(pristine);
    expect(serverAccounts()).toBe("");
    const again = await sb.converge(runList({}, "remove"), [], env);
    expect(again.stdout).toContain("converge: 0/7 resources updated");
  });
});
