// MySQL backups end to end against the private MariaDB: a named database and one matched by a
// % pattern are dumped through the job's .my.cnf, and each restores into a fresh database with
// identical CHECKSUM TABLE values.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { sqlAsRoot } from "../support/mariadb.js";
import { createBucket } from "../support/s3-server.js";
import { cnf, jobConfig, listKeys, operatorEnv, runCli, writeConfig } from "./helpers.js";

const s3 = inject("s3");
const { socket } = inject("mariadb");
const id = randomBytes(3).toString("hex");
const shop = `shop_${id}`;
const blog = `wp_${id}_blog`;
const user = `bk_${id}`;
const password = `pw-${randomBytes(12).toString("hex")}`;

function checksums(db: string): string[][] {
  return sqlAsRoot(socket, `CHECKSUM TABLE ${db}.orders, ${db}.items`).map(([t, sum]) => [t.split(".")[1], sum]);
}

beforeAll(() => {
  for (const db of [shop, blog]) {
    sqlAsRoot(
      socket,
      `CREATE DATABASE ${db};
      CREATE TABLE ${db}.orders (id INT PRIMARY KEY AUTO_INCREMENT, who VARCHAR(40), total DECIMAL(10,2), note TEXT);
      CREATE TABLE ${db}.items (id INT PRIMARY KEY, payload BLOB);
      INSERT INTO ${db}.orders (who, total, note) VALUES ('ann', 12.50, 'tab\there'), ('bob', 7.00, 'quote '' and ünïcode'), ('cy', 0.99, NULL);
      INSERT INTO ${db}.items VALUES (1, UNHEX('00FF10')), (2, REPEAT('x', 5000));
      USE ${db}; CREATE TRIGGER t_orders BEFORE INSERT ON orders FOR EACH ROW SET NEW.who = LOWER(NEW.who);`,
    );
  }
  sqlAsRoot(
    socket,
    `CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}';
    GRANT SELECT, LOCK TABLES, SHOW VIEW, EVENT, TRIGGER ON *.* TO '${user}'@'localhost';`,
  );
});

describe("MySQL backup", () => {
  test("two databases, one matched by a % pattern, each restore into a fresh database with identical CHECKSUM TABLE", async () => {
    const bucket = await createBucket(s3);
    const jobCnf = cnf([`user=${user}`, `password="${password}"`, `socket=${socket}`]);
    const cfg = writeConfig(
      jobConfig(s3, bucket, { mysql: { defaults_file: jobCnf, databases: [shop, `wp_${id}_%`] } }),
    );
    const r = await runCli(["run", "--config", cfg]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(password);
    const keys = await listKeys(s3, bucket);
    expect(
      keys
        .filter((k) => k.endsWith(".sql.zst"))
        .map((k) => k.split("/")[4].split("--")[0])
        .sort(),
    ).toEqual([blog, shop].sort());

    const rootCnf = cnf(["user=root", `socket=${socket}`]);
    for (const db of [shop, blog]) {
      const target = `restored_${db}`;
      const rr = await runCli(
        ["restore", "--config", cfg, "--name", db, "--into-database", target, "--mysql-defaults-file", rootCnf],
        { env: operatorEnv(s3) },
      );
      expect(rr.stderr).toBe("");
      expect(rr.code).toBe(0);
      expect(checksums(target)).toEqual(checksums(db));
      expect(sqlAsRoot(socket, `SHOW TRIGGERS FROM ${target}`).map((t) => t[0])).toEqual(["t_orders"]);
    }

    const drill = await runCli(["verify", "--config", cfg, "--mysql-defaults-file", rootCnf], { env: operatorEnv(s3) });
    expect(drill.stderr).toBe("");
    expect(drill.code).toBe(0);
    expect(drill.stdout).toMatch(/checksums identical to live/);
    expect(sqlAsRoot(socket, "SHOW DATABASES LIKE 's3b\\_verify%'")).toEqual([]);
  });
});
