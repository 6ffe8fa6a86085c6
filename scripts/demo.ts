// The demo: examples/backup.json converged on this machine against an S3 endpoint on loopback and
// a private MariaDB, then the generated job run the way cron runs it, and a database restored
// from the bucket. Users and crontabs are made inside a throwaway mount namespace (the tests'
// sandbox), so the machine is left as it was.
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../engine/paths.js";
import { sqlAsRoot, startMariaDb } from "../spec/support/mariadb.js";
import { restoreAsOperator, runLikeCron } from "../spec/support/backup-run-list.js";
import { createBucket, startS3Server, testS3Client } from "../spec/support/s3-server.js";
import { Sandbox, type Result } from "../spec/support/sandbox.js";

const step = (text: string) => console.log(`\n\x1b[1m==> ${text}\x1b[0m`);
const show = (r: Result) => {
  if (r.stdout) console.log(r.stdout);
  if (r.stderr) console.log(r.stderr);
};
function expectExit(r: Result, code: number, what: string): void {
  if (r.exitCode !== code) {
    show(r);
    throw new Error(`${what} exited ${r.exitCode}, expected ${code}`);
  }
}

const SAMPLE_DB = `
CREATE DATABASE shop;
CREATE TABLE shop.products (id INT PRIMARY KEY, name VARCHAR(80), price DECIMAL(8,2));
INSERT INTO shop.products VALUES (1, 'Teapot', 24.50), (2, 'Kettle', 39.00), (3, 'Crème brûlée torch', 19.99);
CREATE TABLE shop.orders (id INT PRIMARY KEY, product_id INT, qty INT, placed DATETIME);
INSERT INTO shop.orders VALUES (1, 1, 2, '2026-11-01 10:00:00'), (2, 3, 1, '2026-11-02 11:30:00');
CREATE DATABASE wp_blog;
CREATE TABLE wp_blog.posts (id INT PRIMARY KEY, title TEXT);
INSERT INTO wp_blog.posts VALUES (1, 'Hello world');`;

async function main(): Promise<void> {
  step("Starting an S3 endpoint on loopback and a private MariaDB with a sample database");
  const started: (() => Promise<void>)[] = [];
  try {
    const s3 = await startS3Server();
    started.push(s3.stop);
    const db = await startMariaDb();
    started.push(db.stop);
    const sb = await Sandbox.create();
    started.push(() => sb.destroy());

    const bucket = await createBucket(s3.info, "demo");
    sqlAsRoot(db.info.socket, SAMPLE_DB);
    console.log(
      `S3 endpoint ${s3.info.endpoint}, bucket ${bucket}; MariaDB on ${db.info.socket} with databases shop, wp_blog`,
    );

    // The example run-list, pointed at the local endpoint and server. Secrets come from the
    // environment of converge, as the example says; the S3 endpoint's keys are its fixed test keys.
    const runList = JSON.parse(readFileSync(join(PROJECT_ROOT, "examples/backup.json"), "utf8"));
    for (const entry of runList.run_list) {
      Object.assign(entry.properties.s3, {
        bucket,
        endpoint: s3.info.endpoint,
        force_path_style: true,
        region: s3.info.region,
      });
      if (entry.type === "s3_mysql_backup") entry.properties.mysql.admin = { socket: db.info.socket };
    }
    const env = {
      BACKUP_S3_ACCESS_KEY_ID: s3.info.accessKeyId,
      BACKUP_S3_SECRET_ACCESS_KEY: s3.info.secretAccessKey,
      BACKUP_DB_PASSWORD: "demo-Passw0rd; with # and 'quotes'",
    };
    await sb.sh(
      "mkdir -p /var/www/site/img /etc/nginx && echo '<h1>Hello</h1>' > /var/www/site/index.html && echo 'server {}' > /etc/nginx/site.conf && getent group www-data >/dev/null",
    );
    // The backup users run this checkout's code; each backup's access_check says so if they cannot.
    await sb.letEveryoneReach(PROJECT_ROOT);

    step("converge --why-run: the plan, on a bare machine (exit 3: changes would be made)");
    const plan = await sb.converge(runList, ["--why-run"], env);
    show(plan);
    expectExit(plan, 3, "converge --why-run");

    step("converge: creating everything");
    const first = await sb.converge(runList, [], env);
    show(first);
    expectExit(first, 0, "converge");

    step("converge again: nothing to do");
    const second = await sb.converge(runList, [], env);
    show(second);
    expectExit(second, 0, "second converge");

    step("Running both backup scripts the way cron does: as the backup user, with cron's bare environment");
    for (const user of ["backup_site", "backup_shop"]) {
      const r = await runLikeCron(sb, user, `/var/lib/${user}/s3-backup.sh`);
      show(r);
      expectExit(r, 0, `${user}'s backup`);
    }

    step(`Objects in s3://${bucket}`);
    const listed = await testS3Client(s3.info).send(new ListObjectsV2Command({ Bucket: bucket }));
    for (const o of listed.Contents ?? []) console.log(`${String(o.Size).padStart(8)}  ${o.Key}`);

    step("Restoring database shop from the bucket into shop_restored, with the operator's credentials");
    // Root reaches the server through the socket named in the job's .my.cnf, as itself.
    const restored = await restoreAsOperator(sb, s3.info, "/var/lib/backup_shop/config.yml", "shop", [
      "--into-database",
      "shop_restored",
    ]);
    show(restored);
    expectExit(restored, 0, "s3-backup restore");
    const sums = (schema: string) =>
      sqlAsRoot(db.info.socket, `CHECKSUM TABLE ${schema}.products, ${schema}.orders`).map((r) => r[1]);
    const same = JSON.stringify(sums("shop")) === JSON.stringify(sums("shop_restored"));
    console.log(`CHECKSUM TABLE shop.* = shop_restored.*: ${same ? "identical" : "DIFFERENT"}`);
    if (!same) throw new Error("the restored database differs");

    step("Done");
    console.log(`Everything converge created lived in a throwaway mount namespace and is gone now.
To back up for real, install the commands, export the three secrets and converge the example:

  bash scripts/install.sh                        # converge and s3-backup in /usr/local/bin
  export BACKUP_S3_ACCESS_KEY_ID=... BACKUP_S3_SECRET_ACCESS_KEY=... BACKUP_DB_PASSWORD=...
  converge examples/backup.json --why-run        # then without --why-run

with the bucket, region and paths of examples/backup.json edited to yours (drop "endpoint" for
AWS; set it and "force_path_style" for MinIO, R2, Ceph...). Give the job's keys only the policy
printed by \`s3-backup policy --config /var/lib/backup_shop/config.yml\`. To try s3-backup
against a local S3 first: bash scripts/local-s3.sh --help.`);
  } finally {
    // Whatever started is stopped, even when a later start failed.
    await Promise.allSettled(started.reverse().map((stop) => stop()));
  }
}

main().catch((err) => {
  console.error(`demo failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
