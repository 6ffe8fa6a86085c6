// How mysql_user reaches the server in a run, against the harness's MariaDB: one read session per
// server and admin for all loads (counted in the server's general log, as connections of an admin
// account of this file's own), the listing of accounts read afresh after every write and in every
// run, a session killed mid-run replaced, and the admin's password never in debug output.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { nativePasswordHash } from "../../providers/mysql/password.js";
import { s3Properties, secretsEnv } from "../support/backup-run-list.js";
import { entry, expectConverged, runList } from "../support/run-lists.js";
import {
  asRoot,
  ENV,
  generalLogDuring,
  grantsOf,
  login,
  socket,
  useServer,
  userEntry,
} from "../support/mysql-accounts.js";
import { createBucket } from "../support/s3-server.js";
import type { Result } from "../support/sandbox.js";

const DRIVER = join(PROJECT_ROOT, "spec/support/converge-driver.mjs");
const ADMIN = "mc_admin";
const ADMIN_PASSWORD = "Qz7#k-admin-pw";
const ADMIN_ENV = { ...ENV, MC_ADMIN_PW: ADMIN_PASSWORD, MC_WRONG_PW: "not-the-admin-pw" };
const admin = { socket, user: ADMIN, password: { env: "MC_ADMIN_PW" } };
const account = (name: string, properties: object = {}) =>
  userEntry(name, { databases: ["mc_shop"], admin, ...properties });
/** Root's SQL from inside the sandbox (a shell command), as another administrator would type it. */
const rootSql = (sql: string) => `mariadb --no-defaults -S ${socket} -uroot -N -e "${sql}"`;

/** How many times the admin connected (logged in) while the log ran. */
const adminConnections = (log: string) => (log.match(new RegExp(`Connect\\s+${ADMIN}@localhost\\b`, "g")) ?? []).length;

describe("mysql_user connections", () => {
  const server = useServer("mc_", ["mc_shop"]);
  const converge = (doc: unknown, flags: string[] = []) => server.converge(doc, flags, ADMIN_ENV);
  /** Converges (real or why-run), returning the result and how many times the admin connected. */
  async function counted(doc: unknown, flags: string[] = []): Promise<[Result, number]> {
    let r: Result | undefined;
    const log = await generalLogDuring(async () => void (r = await converge(doc, flags)));
    return [r!, adminConnections(log)];
  }

  beforeAll(async () => {
    await asRoot("CREATE USER IF NOT EXISTS ?@'localhost' IDENTIFIED BY ?", [ADMIN, ADMIN_PASSWORD]);
    await asRoot("GRANT ALL PRIVILEGES ON *.* TO ?@'localhost' WITH GRANT OPTION", [ADMIN]);
  });

  it("a run of several accounts loads them all through one admin session; each check after apply sees the change", async () => {
    const doc = runList(...["mc_a", "mc_b", "mc_c", "mc_d"].map((n) => account(n)));
    const [first, firstConnections] = await counted(doc);
    // Updated, not "not converged after applying": the check reads the accounts afresh.
    expectConverged(first, 4);
    // The read session, and apply's one session per account it creates.
    expect(firstConnections).toBe(1 + 4);
    const [again, againConnections] = await counted(doc);
    expectConverged(again, 0);
    expect(againConnections).toBe(1);
    const [audit, auditConnections] = await counted(doc, ["--why-run"]);
    expect(audit.exitCode, audit.stdout).toBe(0);
    expect(auditConnections).toBe(1);
  });

  it("two s3_mysql_backup with the same admin share the session too", async () => {
    const s3 = inject("s3");
    const bucket = await createBucket(s3, "mc");
    await server.sandbox().letEveryoneReach(PROJECT_ROOT);
    const backup = (n: number) =>
      entry("s3_mysql_backup", `mc${n}`, {
        mysql: { user: `mc_dump${n}`, password: { env: "DB_PASSWORD" }, admin },
        databases: ["mc_shop"],
        s3: s3Properties(s3, bucket),
      });
    const doc = runList(backup(1), backup(2));
    const env = { ...ADMIN_ENV, ...secretsEnv(s3) };
    let first: Result | undefined;
    const firstLog = await generalLogDuring(async () => void (first = await server.converge(doc, [], env)));
    expect(first!.exitCode, first!.stdout + first!.stderr).toBe(0);
    expect(adminConnections(firstLog)).toBe(1 + 2);
    let again: Result | undefined;
    const againLog = await generalLogDuring(async () => void (again = await server.converge(doc, [], env)));
    expect(again!.stdout).toContain("converge: 0/16 resources updated");
    expect(adminConnections(againLog)).toBe(1);
  });

  it("sees accounts dropped or changed by someone else between two runs of one process", async () => {
    const sb = server.sandbox();
    const file = sb.runList(runList(account("mc_s1"), account("mc_s2")), "stale.json");
    const barrier = join(sb.dir, "stale-barrier");
    const out = join(sb.dir, "stale.out");
    const waitFor = (i: number) =>
      `timeout 60 sh -c 'until ls ${barrier} | grep -q "^done-${i}-"; do sleep 0.02; done'`;
    const r = await sb.sh(
      `mkdir -p ${barrier}
      BARRIER=${barrier} ${process.execPath} ${DRIVER} loop 2 ${file} > ${out} 2>&1 & driver=$!
      trap 'kill $driver 2>/dev/null || true' EXIT # a driver left waiting for its barrier would wait forever
      touch ${barrier}/go-1; ${waitFor(1)}
      ${rootSql("DROP USER mc_s1@localhost; ALTER USER mc_s2@localhost IDENTIFIED BY 'changed-by-hand'")}
      touch ${barrier}/go-2; ${waitFor(2)}
      wait $driver; cat ${out}`,
      ADMIN_ENV,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const [firstRun, secondRun] = r.stdout.split(/^=== exit \d+$/m);
    expect(r.stdout.match(/^=== exit \d+$/gm)).toEqual(["=== exit 0", "=== exit 0"]);
    expect(firstRun).toContain("converge: 2/2 resources updated");
    expect(secondRun).toContain("create user 'mc_s1'@'localhost'");
    expect(secondRun).toContain("set password of 'mc_s2'@'localhost'");
    expect(secondRun).toContain("converge: 2/2 resources updated");
  });

  it("replaces the session killed in the middle of a run: later accounts converge on a new one", async () => {
    expectConverged(await converge(runList(account("mc_k1"))), 1);
    const sb = server.sandbox();
    const file = sb.runList(runList(account("mc_k1"), account("mc_k2"), account("mc_k3")), "kill.json");
    // Just before apply's first statement, the oldest admin connection (the run's read session,
    // open since the first load) is killed from root's session.
    const oldest = `SELECT MIN(ID) FROM information_schema.PROCESSLIST WHERE USER = '${ADMIN}'`;
    const kill = `id=$(${rootSql(oldest)}); ${rootSql("KILL CONNECTION $id")}`;
    let r: Result | undefined;
    const log = await generalLogDuring(async () => {
      const argv = [process.execPath, DRIVER, "race", "create user 'mc_k2'", "root", kill, file];
      r = await sb.exec(argv, { env: ADMIN_ENV });
    });
    expect(r!.exitCode, r!.stdout + r!.stderr).toBe(0);
    expect(r!.stdout).not.toMatch(/FAILED|skipped/);
    expect(r!.stdout).toContain("* mysql_user[mc_k3] action create\n  - create user 'mc_k3'@'localhost'");
    expect(log).toMatch(/KILL CONNECTION \d+/);
    // Read session, apply of mc_k2, the new read session after the kill, apply of mc_k3.
    expect(adminConnections(log)).toBe(4);
    expectConverged(await converge(runList(account("mc_k1"), account("mc_k2"), account("mc_k3"))), 0);
  });

  it("converges with an admin allowed one session at a time (MAX_USER_CONNECTIONS 1): the read session gives way to apply's", async () => {
    const ONE = "mc_one_admin";
    await asRoot("CREATE USER IF NOT EXISTS ?@'localhost' IDENTIFIED BY ? WITH MAX_USER_CONNECTIONS 1", [
      ONE,
      ADMIN_PASSWORD,
    ]);
    await asRoot("GRANT ALL PRIVILEGES ON *.* TO ?@'localhost' WITH GRANT OPTION", [ONE]);
    const one = { ...admin, user: ONE };
    const names = ["mc_o1", "mc_o2", "mc_o3", "mc_o4"];
    const doc = runList(...names.map((n) => account(n, { admin: one })));
    const first = await converge(doc);
    // Before, apply's login was refused while the read session stayed open: "has exceeded the
    // 'max_user_connections' resource".
    expect(first.stdout).not.toContain("max_user_connections");
    expectConverged(first, names.length);
    for (const n of names)
      expect((await grantsOf(n)).join("\n")).toContain(`ON \`mc\\_shop\`.* TO \`${n}\`@\`localhost\``);
    expectConverged(await converge(doc), 0);
    const audit = await converge(doc, ["--why-run"]);
    expect(audit.exitCode, audit.stdout).toBe(0);

    // The one session held by someone else (a DBA logged in as the admin): the run waits a moment
    // for it, then fails the resource with the server's reason, and nothing is created.
    const dba = await login(ONE, ADMIN_PASSWORD);
    try {
      const held = await converge(runList(account("mc_o5", { admin: one })));
      expect(held.exitCode, held.stdout).toBe(1);
      expect(held.stdout).toContain(`cannot connect to the MySQL server at socket ${socket} as ${ONE}`);
      expect(held.stdout).toContain("max_user_connections");
    } finally {
      await dba.end();
    }
    expect((await server.accounts()).map((a) => a.user)).not.toContain("mc_o5");
  });

  it("finds an account as the server compares names: a host in capitals, a name with trailing spaces", async () => {
    // The server stores 'mc_h'@'localhost' and 'mc_t'@'localhost' for these.
    const doc = runList(account("mc_h", { host: "LocalHost" }), account("mc_t  "));
    expectConverged(await converge(doc), 2);
    expectConverged(await converge(doc), 0);
    const stored = (await server.accounts()).map((a) => `${a.user}@${a.host}`);
    expect(stored).toEqual(expect.arrayContaining(["mc_h@localhost", "mc_t@localhost"]));
  });

  it("tells sessions with different admin passwords apart: a wrong one is refused, not served another's session", async () => {
    const wrong = { ...admin, password: { env: "MC_WRONG_PW" } };
    const r = await converge(runList(account("mc_a"), account("mc_b", { admin: wrong })));
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`cannot connect to the MySQL server at socket ${socket} as ${ADMIN}: Access denied`);
  });

  it("never shows the admin's password in debug output, nor a hash of it anyone could recompute", async () => {
    const doc = runList(account("mc_a"), account("mc_b"));
    expect((await converge(doc)).exitCode).toBe(0);
    const tags = new Set<string>();
    for (const flags of [
      ["--log-level", "debug"],
      ["--why-run", "--log-level", "debug"],
    ]) {
      const r = await converge(doc, flags);
      expect(r.exitCode, r.stderr).toBe(0);
      const held = [
        ...r.stderr.matchAll(
          /mysql_user\[mc_a\]: read hold (mysql socket \S+ as mc_admin with password ([0-9a-f]+)): done/g,
        ),
      ];
      expect(held, r.stderr).toHaveLength(1);
      tags.add(held[0][2]);
      expect(r.stderr).toContain(`mysql_user[mc_b]: read remember ${held[0][1]}: accounts: `);
      const hashes = ["sha1", "sha256", "md5"].map((h) => createHash(h).update(ADMIN_PASSWORD).digest("hex"));
      // Output masks the password itself: a key holding it would show the mask.
      for (const leak of ["********", ADMIN_PASSWORD, nativePasswordHash(ADMIN_PASSWORD).slice(1), ...hashes])
        for (const out of [r.stdout, r.stderr])
          expect(out.toLowerCase()).not.toContain(leak.toLowerCase().slice(0, 12));
    }
    // Keyed per process: the same password gets another tag in another run.
    expect(tags.size).toBe(2);
  });
});
