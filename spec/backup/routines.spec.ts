// A database's code survives backup and restore: a dump account converged by mysql_user with the
// default privileges, the backup job, then a restore into a fresh database, where the procedure,
// function, trigger, event and view exist and work. Without the default set's SHOW CREATE ROUTINE
// (SELECT on mysql.proc on this MariaDB) mysqldump drops routines silently, exit 0: the control.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { sqlAsRoot } from "../support/mariadb.js";
import { entry, expectConverged, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";
import { createBucket } from "../support/s3-server.js";
import { cnf, jobConfig, operatorEnv, runCli, writeConfig } from "./helpers.js";

const s3 = inject("s3");
const { socket } = inject("mariadb");
const id = randomBytes(3).toString("hex");
const db = `rt_${id}`;
const user = `rt_bk_${id}`;
const password = `pw-${randomBytes(12).toString("hex")}`;
const ENV = { RT_PW: password };
const rootCnf = cnf(["user=root", `socket=${socket}`]);

const DEFAULT_PRIVILEGES = ["SELECT", "SHOW VIEW", "TRIGGER", "EVENT", "LOCK TABLES", "SHOW CREATE ROUTINE"];

/** The dump account: the default privileges unless `privileges` is given. */
const account = (privileges?: string[]) =>
  runList(
    entry("mysql_user", user, {
      password: { env: "RT_PW" },
      databases: [db],
      admin: { socket },
      ...(privileges ? { privileges } : {}),
    }),
  );

const sql = (text: string, database?: string) => sqlAsRoot(socket, text, database);
/** The first column of each row. */
const names = (text: string) => sql(text).map((row) => row[0]);
/** Names of a database's objects of one kind, read by root from information_schema. */
const objects = (
  table: "ROUTINES" | "TRIGGERS" | "EVENTS",
  column: string,
  schemaColumn: string,
  target: string,
  where = "",
) => names(`SELECT ${column} FROM information_schema.${table} WHERE ${schemaColumn} = '${target}' ${where} ORDER BY 1`);

/** A job config that backs `db` up as the dump account, into a new bucket. */
async function job(): Promise<string> {
  const bucket = await createBucket(s3);
  const jobCnf = cnf([`user=${user}`, `password="${password}"`, `socket=${socket}`]);
  return writeConfig(jobConfig(s3, bucket, { mysql: { defaults_file: jobCnf, databases: [db] } }));
}

/** Backs `db` up with the job and restores it into a new database `target`. */
async function backupAndRestore(target: string): Promise<void> {
  const cfg = await job();
  const run = await runCli(["run", "--config", cfg]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const restore = await runCli(
    ["restore", "--config", cfg, "--name", db, "--into-database", target, "--mysql-defaults-file", rootCnf],
    { env: operatorEnv(s3) },
  );
  expect(restore.stderr).toBe("");
  expect(restore.code).toBe(0);
}

const routinesOf = (target: string) => ({
  procedures: objects("ROUTINES", "ROUTINE_NAME", "ROUTINE_SCHEMA", target, "AND ROUTINE_TYPE = 'PROCEDURE'"),
  functions: objects("ROUTINES", "ROUTINE_NAME", "ROUTINE_SCHEMA", target, "AND ROUTINE_TYPE = 'FUNCTION'"),
});

describe("routines, triggers, events and views in a MySQL backup", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create();
    sql(`CREATE DATABASE ${db}`);
    sql(
      `CREATE TABLE t (id INT PRIMARY KEY, v INT);
      INSERT INTO t VALUES (1, 10), (2, 20);
      DELIMITER //
      CREATE PROCEDURE p_total(OUT total INT) BEGIN SELECT SUM(v) INTO total FROM t; END//
      CREATE FUNCTION f_double(x INT) RETURNS INT DETERMINISTIC RETURN x * 2//
      DELIMITER ;
      CREATE TRIGGER t_bump BEFORE INSERT ON t FOR EACH ROW SET NEW.v = NEW.v + 1;
      CREATE EVENT e_purge ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM t WHERE id < 0;
      CREATE VIEW v_double AS SELECT id, v * 2 AS dv FROM t;`,
      db,
    );
  });
  afterAll(async () => {
    for (const name of names(`SHOW DATABASES LIKE 'rt\\_${id}%'`)) sql(`DROP DATABASE \`${name}\``);
    sql(`DROP USER IF EXISTS '${user}'@'localhost'`);
    await sb.destroy();
  });

  test("control: without the routine grant the job succeeds and the restore has no routines", async () => {
    const withoutRoutines = DEFAULT_PRIVILEGES.filter((p) => p !== "SHOW CREATE ROUTINE");
    expectConverged(await sb.converge(account(withoutRoutines), [], ENV), 1);
    await backupAndRestore(`${db}_control`);
    expect(routinesOf(`${db}_control`)).toEqual({ procedures: [], functions: [] });
  });

  test("the default privileges restore the procedure, function, trigger, event and view, all working", async () => {
    const first = expectConverged(await sb.converge(account(), [], ENV), 1);
    expect(first).toContain(`grant SELECT on \`mysql\`.\`proc\` to '${user}'@'localhost'`);
    expectConverged(await sb.converge(account(), [], ENV), 0);

    const target = `${db}_restored`;
    await backupAndRestore(target);
    expect(routinesOf(target)).toEqual({ procedures: ["p_total"], functions: ["f_double"] });
    expect(sql(`CALL p_total(@total); SELECT @total`, target)).toEqual([["30"]]);
    expect(sql(`SELECT f_double(21)`, target)).toEqual([["42"]]);
    expect(objects("TRIGGERS", "TRIGGER_NAME", "TRIGGER_SCHEMA", target)).toEqual(["t_bump"]);
    expect(objects("EVENTS", "EVENT_NAME", "EVENT_SCHEMA", target)).toEqual(["e_purge"]);
    // The trigger fires (30 + 1), and the view reads the new row.
    expect(sql(`INSERT INTO t VALUES (3, 30); SELECT dv FROM v_double WHERE id = 3`, target)).toEqual([["62"]]);
  });

  test("a view calling a function fails the job loudly by default, and is backed up once EXECUTE is added", async () => {
    sql(`CREATE VIEW v_calls AS SELECT id, f_double(v) AS dv FROM t`, db);
    const failed = await runCli(["run", "--config", await job()]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/mysqldump exited 2: .*execute command denied .* routine '.*f_double'/);

    const withExecute = account([...DEFAULT_PRIVILEGES, "EXECUTE"]);
    expect(expectConverged(await sb.converge(withExecute, [], ENV), 1)).toContain(`grant EXECUTE on \`rt\\_${id}\`.*`);
    const target = `${db}_execute`;
    await backupAndRestore(target);
    expect(routinesOf(target)).toEqual({ procedures: ["p_total"], functions: ["f_double"] });
    expect(sql(`SELECT dv FROM v_calls WHERE id = 2`, target)).toEqual([["40"]]);
  });
});
