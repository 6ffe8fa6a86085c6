// The backup resources refuse bad properties up front, whole-file, naming the JSON path (exit 2),
// while database patterns are left for the job to match at backup time.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { Sandbox } from "../support/sandbox.js";

const env = {
  BACKUP_S3_ACCESS_KEY_ID: "AKEXAMPLEKEY",
  BACKUP_S3_SECRET_ACCESS_KEY: "s3-secret-value",
  BACKUP_DB_PASSWORD: "db-secret-value",
};
const example = () => JSON.parse(readFileSync(join(PROJECT_ROOT, "examples/backup.json"), "utf8"));

describe("backup resource validation", () => {
  let sb: Sandbox;
  beforeAll(async () => void (sb = await Sandbox.create()));
  afterAll(() => sb.destroy());

  const cases: [string, (doc: any) => void, string][] = [
    [
      "a missing bucket",
      (d) => delete d.run_list[0].properties.s3.bucket,
      'run_list/0 (s3_file_backup[site]) properties/s3: missing required property "bucket"',
    ],
    [
      "a relative asset path",
      (d) => (d.run_list[0].properties.assets = ["var/www"]),
      'run_list/0 (s3_file_backup[site]) properties/assets/0: must be an absolute path, got "var/www"',
    ],
    [
      "a cron field out of range",
      (d) => (d.run_list[1].properties.cron.hour = "24"),
      "run_list/1 (s3_mysql_backup[shop]) properties/cron/hour: must match cron hour syntax",
    ],
    [
      "a secret given nowhere",
      (d) => delete d.run_list[1].properties.mysql.password,
      'run_list/1 (s3_mysql_backup[shop]) properties/mysql: missing required property "password"',
    ],
    [
      "a secret from an unset variable",
      (d) => (d.run_list[0].properties.s3.secret_access_key = { env: "NO_SUCH_VAR" }),
      "run_list/0 (s3_file_backup[site]) properties/s3/secret_access_key: environment variable NO_SUCH_VAR is not set",
    ],
    [
      "a home that overlaps what is backed up",
      (d) => (d.run_list[0].properties.home = "/var/www/site/.backup"),
      "run_list/0 (s3_file_backup[site]) properties/home: /var/www/site/.backup overlaps the asset /var/www/site",
    ],
    [
      "a dump account at localhost reached over TCP from another host",
      (d) => (d.run_list[1].properties.mysql.admin = { host: "db.example.net", port: 3306 }),
      "run_list/1 (s3_mysql_backup[shop]) properties/mysql/host: the dump connects over TCP to db.example.net:3306, where the account 'backup_shop'@'localhost' cannot log in",
    ],
    [
      "two assets that would share a name in object keys",
      (d) => (d.run_list[0].properties.assets = ["/var/www", "/var_www"]),
      'run_list/0 (s3_file_backup[site]) properties/assets: assets "/var/www" and "/var_www" would share the name "var_www" in object keys',
    ],
    [
      "two databases that would share a name in object keys",
      (d) => (d.run_list[1].properties.databases = ["shop orders", "shop_orders"]),
      'run_list/1 (s3_mysql_backup[shop]) properties/databases: databases "shop orders" and "shop_orders" would share the name "shop_orders" in object keys',
    ],
    [
      "a home inside an asset written with a slash too many",
      (d) => (d.run_list[0].properties.assets = ["/var//lib/"]),
      "run_list/0 (s3_file_backup[site]) properties/home: /var/lib/backup_site overlaps the asset /var//lib/",
    ],
    [
      "an asset path with a line break",
      (d) => (d.run_list[0].properties.assets = ["/srv\n* * * * * /bin/evil"]),
      "run_list/0 (s3_file_backup[site]) properties/assets/0: must be an absolute path",
    ],
    [
      "a relative metrics directory",
      (d) => (d.run_list[0].properties.metrics = { textfile_dir: "prometheus/node-exporter" }),
      'run_list/0 (s3_file_backup[site]) properties/metrics/textfile_dir: must be an absolute path, got "prometheus/node-exporter"',
    ],
    [
      "a literal healthcheck that is not an http(s) URL",
      (d) => (d.run_list[0].properties.healthcheck = "ftp://hc.example/ping"),
      'run_list/0 (s3_file_backup[site]) properties/healthcheck: must be an http(s) URL, {"env": "VAR"} or {"file": "/path"}',
    ],
    [
      "a healthcheck reference whose value is not an http(s) URL, without quoting it",
      (d) => (d.run_list[0].properties.healthcheck = { env: "BACKUP_DB_PASSWORD" }),
      "run_list/0 (s3_file_backup[site]) properties/healthcheck: the value it refers to is not an http(s) URL",
    ],
  ];
  for (const [what, spoil, message] of cases) {
    it(`refuses ${what} with its path, and touches nothing`, async () => {
      const doc = example();
      spoil(doc);
      const before = await sb.snapshot();
      const r = await sb.converge(doc, [], env);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout + r.stderr).not.toContain(env.BACKUP_DB_PASSWORD);
      expect(await sb.snapshot()).toEqual(before);
    });
  }

  it("accepts database patterns that match nothing yet: they are matched at backup time", async () => {
    const doc = example();
    doc.run_list[1].properties.databases = ["not_created_yet_%"];
    const r = await sb.converge(doc, ["--why-run"], env);
    expect(r.exitCode, r.stderr).toBe(3);
  });
});
