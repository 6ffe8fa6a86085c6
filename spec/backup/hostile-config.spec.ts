// A config.yml that would turn the job against its owner: a prefix IAM reads as a wildcard, a
// database entry that becomes a mysqldump option, bytes that are not text, files that never end.
// Each is refused with exit 2 naming the setting; and however the names got there, mysqldump
// takes them after "--", as names.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { describe, expect, inject, test } from "vitest";
import { loadConfig } from "../../backup/config.js";
import { mysqldumpProducer } from "../../backup/producers/mysqldump.js";
import { localSystem } from "../../backup/system.js";
import { InputError } from "../../engine/errors.js";
import { sqlAsRoot } from "../support/mariadb.js";
import { jobConfig, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");
const { socket } = inject("mariadb");
const config = (extra: Record<string, unknown> = {}, s3Extra: Record<string, unknown> = {}) =>
  jobConfig(s3, "hostile-bucket", { assets: ["/etc/hostname"], ...extra }, s3Extra);

/** The loader's one-line refusals (InputError), as `s3-backup` prints them after "s3-backup: ". */
function refusal(file: string): string {
  try {
    loadConfig(file, () => {});
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
  return "accepted";
}

describe("a hostile config.yml", () => {
  test('refuses s3.prefix "*", which IAM would read as every prefix of the bucket (exit 2, no policy printed)', async () => {
    const r = await runCli(["policy", "--config", writeConfig(config({}, { prefix: "*" }))]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("/s3/prefix: must be a key prefix");
    expect(r.stdout).toBe("");
  });

  test.each(["a/*", "x?/", "${aws:username}/", "$HOME/", "a//b/", "../up/", "./", "with space/", "/abs/"])(
    "refuses s3.prefix %j, which IAM, lifecycle rules or clients would read as syntax",
    (prefix) => expect(refusal(writeConfig(config({}, { prefix })))).toContain("/s3/prefix: must be a key prefix"),
  );

  test("keeps a plain prefix, so the policy grants exactly its two prefixes", async () => {
    const r = await runCli(["policy", "--config", writeConfig(config({}, { prefix: "web1/eu-west.db_2/" }))]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).Statement[0].Resource).toEqual([
      "arn:aws:s3:::hostile-bucket/web1/eu-west.db_2/daily/*",
      "arn:aws:s3:::hostile-bucket/web1/eu-west.db_2/monthly/*",
    ]);
  });

  const withDatabases = (databases: string[]) =>
    writeConfig(config({ mysql: { defaults_file: "/nonexistent/.my.cnf", databases } }));

  test('refuses the database entry "shop --no-data", which mysqldump would take as an option (exit 2)', async () => {
    const r = await runCli(["run", "--config", withDatabases(["shop --no-data"])]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("/mysql/databases/0: must be a database name");
  });

  test.each(["-x", "shop -t", "shop;drop", "a.b", "shop\ttab", "wp_% t1", "x".repeat(65)])(
    "refuses the database entry %j, which could become an option or is no name",
    (entry) => expect(refusal(withDatabases([entry]))).toContain("/mysql/databases/0: must be a database name"),
  );

  test("keeps names, tables and % patterns as MySQL spells them", () => {
    expect(refusal(withDatabases(["shop", "shop orders order_items", "wp_%", "my-app", "café$2", "2024"]))).toBe(
      "accepted",
    );
  });

  test("refuses a value with a control character, without echoing it", () => {
    expect(refusal(writeConfig(config({}, { region: "eu\u001b[2J" })))).toContain(
      "/s3/region: must not contain control characters (U+001B at character 3)",
    );
  });

  test("refuses bytes that are not UTF-8, duplicate keys, a FIFO and /dev/zero, each in one line", async () => {
    const dir = tempDir();
    const bad = join(dir, "latin1.yml");
    writeFileSync(bad, Buffer.concat([Buffer.from("name: caf"), Buffer.from([0xe9]), Buffer.from("\n")]), {
      mode: 0o600,
    });
    const dup = join(dir, "dup.yml");
    writeFileSync(dup, "name: shop\nname: other\n", { mode: 0o600 });
    const fifo = join(dir, "fifo.yml");
    spawnSync("mkfifo", ["-m", "0600", fifo]);
    expect(refusal(bad)).toBe(`${bad}: not valid UTF-8 (byte 0xe9 at offset 9, line 1)`);
    expect(refusal(dup)).toMatch(new RegExp(`^${dup}:2:\\d+ invalid YAML \\(DUPLICATE_KEY\\)$`));
    expect(refusal("/dev/zero")).toBe("/dev/zero: not a regular file (a character device)");
    // Through the command, so a hang would show as a timeout of this test, not a pass.
    const r = await runCli(["policy", "--config", fifo]);
    expect([r.code, r.stderr]).toEqual([2, `s3-backup: ${fifo}: not a regular file (a FIFO)\n`]);
  });
});

describe("mysqldump's argv", () => {
  test("takes database and table names after --, so a name that looks like an option is still a name", async () => {
    // Names the validator refuses, made directly on the server: the argv must hold even so.
    sqlAsRoot(
      socket,
      "CREATE DATABASE IF NOT EXISTS `-hostile`; CREATE TABLE IF NOT EXISTS `-hostile`.`--no-data` (v INT);" +
        "DELETE FROM `-hostile`.`--no-data`; INSERT INTO `-hostile`.`--no-data` VALUES (7);",
    );
    const cnf = join(tempDir(), "root.cnf");
    writeFileSync(cnf, `[client]\nuser=root\nsocket=${socket}\n`, { mode: 0o600 });
    try {
      const dump = mysqldumpProducer(localSystem, cnf, "-hostile", ["--no-data"], []);
      const [sql, end] = await Promise.all([text(dump.stdout), dump.ended]);
      expect(end, JSON.stringify(end)).toMatchObject({ ok: true });
      expect(sql).toMatch(/INSERT INTO `--no-data` VALUES\s*\(7\);/);
    } finally {
      sqlAsRoot(socket, "DROP DATABASE `-hostile`");
    }
  });
});
