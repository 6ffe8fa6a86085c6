// Database faults on real MariaDB servers: a server stopped before the run, a server killed
// mid-dump (a second private server each, since these end it), a table locked by another session,
// an account missing a privilege. Each: exit 1 with the reason, no object for the failed database,
// and the other assets (a file asset, a healthy database) still backed up.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy.js";
import { sqlAsRoot, startMariaDb } from "../support/mariadb.js";
import { createBucket } from "../support/s3-server.js";
import { assetOf, bucketState, faultConfig, objectsOf, strayState } from "./fault-helpers.js";
import { cnf, runCli, writeConfig } from "./helpers.js";

const s3 = inject("s3");
const shared = inject("mariadb");
let proxy: FaultProxy;
let files: string;

beforeAll(async () => {
  proxy = await startFaultProxy(s3.endpoint);
  files = assetOf(4096, "files");
});
afterAll(() => proxy.close());

const id = () => randomBytes(3).toString("hex");

/** A database with a small table, and an account that may dump the given databases. */
function setUp(socket: string, databases: string[], grantOn: string[] = databases) {
  const user = `bk_${id()}`;
  const password = randomBytes(12).toString("hex");
  for (const db of databases)
    sqlAsRoot(
      socket,
      `CREATE DATABASE ${db}; CREATE TABLE ${db}.t (i INT PRIMARY KEY); INSERT INTO ${db}.t VALUES (1), (2);`,
    );
  sqlAsRoot(
    socket,
    `CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}';` +
      grantOn
        .map((db) => `GRANT SELECT, LOCK TABLES, SHOW VIEW, EVENT, TRIGGER ON ${db}.* TO '${user}'@'localhost';`)
        .join(""),
  );
  return { user, defaults: cnf([`user=${user}`, `password=${password}`, `socket=${socket}`]) };
}

async function run(defaults: string, databases: string[], timeouts = { run: 40, connect: 2, idle: 3 }) {
  const bucket = await createBucket(s3);
  const config = faultConfig(
    s3,
    bucket,
    proxy.endpoint,
    { assets: [files], mysql: { defaults_file: defaults, databases } },
    timeouts,
  );
  const r = await runCli(["run", "--config", writeConfig(config)]);
  const state = await bucketState(s3, bucket);
  // The run went on: the file asset is backed up, and the manifest says the run is incomplete.
  expect(objectsOf(state, files)).toHaveLength(1);
  expect(state.manifests.map((m) => m.complete)).toEqual([false]);
  expect(state.incomplete).toEqual([]);
  expect(strayState(config.state_dir)).toEqual([]);
  return { ...r, state };
}

/** The objects of database `db` in the bucket (its NAME is the database name). */
const dbObjects = (state: Awaited<ReturnType<typeof run>>["state"], db: string) =>
  [...state.objects.keys()].filter((k) => k.includes(`/${db}--`));

describe("database faults", () => {
  test("the server is stopped before the run: exit 1 with the reason, the files still backed up", async () => {
    const server = await startMariaDb();
    const db = `gone_${id()}`;
    const { defaults } = setUp(server.info.socket, [db]);
    await server.stop();
    const r = await run(defaults, [db, `gone_%`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the database server: ERROR 2002 .*Can't connect/);
    expect(r.stderr).toMatch(new RegExp(`FAILED ${db} \\(${db}\\): not attempted: cannot reach the database server`));
    expect(r.stderr).toMatch(/FAILED gone_%: cannot list databases to expand the pattern/);
    expect(dbObjects(r.state, db)).toEqual([]);
  }, 120_000);

  test("the server is killed mid-dump: exit 1 naming mysqldump, no object for it, the rest backed up", async () => {
    const server = await startMariaDb();
    try {
      const [big, small] = [`big_${id()}`, `small_${id()}`];
      const { defaults } = setUp(server.info.socket, [big, small]);
      // About 30 MB of incompressible rows: the dump is mid-stream when its first part goes up.
      sqlAsRoot(
        server.info.socket,
        `CREATE TABLE ${big}.blob (id INT PRIMARY KEY AUTO_INCREMENT, v BLOB);
         INSERT INTO ${big}.blob (v) SELECT RANDOM_BYTES(1024) FROM ${big}.seq_1_to_30000;`,
      );
      let killed = false;
      proxy.setDecide((q) =>
        q.kind === "UploadPart" && q.part === 1 && q.path.includes(`/${big}--`)
          ? { do: "call", when: "arrival", at: () => void server.kill().then(() => (killed = true)) }
          : { do: "pass" },
      );
      // Dumped in config order: the small one is done before the server dies.
      const r = await run(defaults, [small, big]);
      proxy.setDecide(() => ({ do: "pass" }));
      expect(killed).toBe(true);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`FAILED ${big} .*mysqldump exited \\d+: .*Lost connection`));
      expect(dbObjects(r.state, big)).toEqual([]);
      expect(dbObjects(r.state, small)).toHaveLength(1);
    } finally {
      await server.stop();
    }
  }, 120_000);

  test("a table locked by another session: the dump is stopped as stalled, the server-side wait ends too", async () => {
    const [locked, free] = [`locked_${id()}`, `free_${id()}`];
    const { user, defaults } = setUp(shared.socket, [locked, free]);
    // Another session holds a write lock for a minute (an admin's LOCK TABLES, a long ALTER).
    const holder = spawn("mariadb", ["--no-defaults", "-S", shared.socket, "-uroot"], {
      stdio: ["pipe", "ignore", "ignore"],
    });
    holder.stdin.write(`LOCK TABLES ${locked}.t WRITE; SELECT SLEEP(60);\n`);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const r = await run(defaults, [locked, free], { run: 20, connect: 2, idle: 3 });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `FAILED ${locked} .*producer stalled: mysqldump moved no data for \\d+ s \\(timeouts.idle\\); a table locked by another session\\?`,
        ),
      );
      expect(dbObjects(r.state, locked)).toEqual([]);
      expect(dbObjects(r.state, free)).toHaveLength(1);
      // The dump's statement does not wait on after the job gave up: the server ends it
      // (the connection closed, or --max-statement-time at the run's deadline at the latest).
      const waiting = () =>
        sqlAsRoot(shared.socket, `SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '${user}'`)[0][0];
      const t = Date.now();
      while (waiting() !== "0" && Date.now() - t < 25_000) await new Promise((res) => setTimeout(res, 250));
      expect(waiting()).toBe("0");
    } finally {
      holder.kill();
    }
  }, 120_000);

  test("an account missing a privilege on one database: exit 1 with the server's refusal, the rest backed up", async () => {
    const [denied, allowed] = [`denied_${id()}`, `allowed_${id()}`];
    const { defaults } = setUp(shared.socket, [denied, allowed], [allowed]);
    const r = await run(defaults, [denied, allowed]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`FAILED ${denied} .*mysqldump exited 2: .*Access denied for user`));
    expect(dbObjects(r.state, denied)).toEqual([]);
    expect(dbObjects(r.state, allowed)).toHaveLength(1);
  }, 120_000);
});
