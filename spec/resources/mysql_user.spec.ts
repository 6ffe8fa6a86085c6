// mysql_user against the private MariaDB the harness starts: outcomes are read back from the
// server (mysql.user, SHOW GRANTS, logging in, dumping), never from what converge says it did.
// Account and database names start with mu_ so other specs sharing the server are not disturbed.
import { readdirSync, readFileSync } from "node:fs";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Sandbox } from "../support/sandbox.js";
import { entry, expectConverged, runList } from "../support/run-lists.js";

const { socket } = inject("mariadb");
const PASSWORD = `p@ss'"\\#;% wörd ✓`;
const ENV = { MU_PW: PASSWORD };
const HOME = "/var/lib/mu_backup";

/** Runs SQL as database root (unix_socket auth: this process is OS root); values via placeholders. */
async function asRoot<T = any>(sql: string, values: unknown[] = []): Promise<T[]> {
  const c = await mysql.createConnection({ socketPath: socket, user: "root", charset: "utf8mb4" });
  try {
    return (await c.query(sql, values))[0] as T[];
  } finally {
    await c.end();
  }
}

/** Logs in as the account over the socket; resolves to the connection, or rejects as the server did. */
const login = (user: string, password: string) =>
  mysql.createConnection({ socketPath: socket, user, password, charset: "utf8mb4" });

const grantsOf = async (user: string, host = "localhost") =>
  (await asRoot("SHOW GRANTS FOR ?@?", [user, host])).map((r) => String(Object.values(r)[0]));

/** The accounts of this spec, with their stored credentials: equal snapshots mean mysql.user did not change. */
const accounts = () =>
  asRoot(
    "SELECT User AS user, Host AS host, authentication_string AS auth FROM mysql.user WHERE User LIKE 'mu\\_%' ORDER BY 1, 2",
  );

const account = (properties: object = {}, action: "create" | "remove" = "create") =>
  entry(
    "mysql_user",
    "mu_backup",
    { password: { env: "MU_PW" }, databases: ["mu_shop", "mu_wp_%"], admin: { socket }, ...properties },
    action,
  );

/** The whole setup a backup needs: the system user, its .my.cnf, the database account. */
const backupSetup = () =>
  runList(
    entry("system_user", "mu_backup", { home: HOME }),
    entry(`template_file`, `${HOME}/.my.cnf`, {
      source: "my.cnf.hbs",
      variables: { user: "mu_backup", password: PASSWORD, socket },
      owner: "mu_backup",
      mode: "0600",
      sensitive: true,
    }),
    account(),
  );

const DUMP_GRANTS = "SELECT, LOCK TABLES, SHOW VIEW, EVENT, TRIGGER";
/** MariaDB before 11.3 lets the account read routine bodies (mysqldump --routines) only through this. */
const PROC_GRANT = (who = "`mu_backup`@`localhost`") => `GRANT SELECT ON \`mysql\`.\`proc\` TO ${who}`;

describe("mysql_user", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create();
    for (const db of ["mu_shop", "mu_wp_blog", "muXshop", "mu_other"]) {
      await asRoot(`CREATE DATABASE IF NOT EXISTS \`${db}\``);
      await asRoot(`CREATE TABLE IF NOT EXISTS \`${db}\`.orders (id INT PRIMARY KEY, item VARCHAR(20))`);
      await asRoot(`INSERT IGNORE INTO \`${db}\`.orders VALUES (1, 'marker-${db}')`);
    }
  });
  afterAll(async () => {
    for (const { user, host } of await accounts()) await asRoot("DROP USER ?@?", [user, host]);
    for (const db of ["mu_shop", "mu_wp_blog", "muXshop", "mu_other"]) await asRoot(`DROP DATABASE \`${db}\``);
    await sb.destroy();
  });

  it("why-run against the live server reports the plan and changes nothing", async () => {
    const before = await accounts();
    const r = await sb.converge(runList(account()), ["--why-run"], ENV);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stdout).toContain("Would create user 'mu_backup'@'localhost'");
    expect(r.stdout).toContain(`Would grant SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES on \`mu\\_shop\`.*`);
    expect(r.stdout).toContain("on `mu\\_wp\\_%`.*");
    expect(r.stdout).toContain("Would grant SELECT on `mysql`.`proc` to 'mu_backup'@'localhost'");
    expect(await accounts()).toEqual(before);
  });

  it("creates an account that logs in, dumps granted databases through its .my.cnf, and nothing more", async () => {
    expectConverged(await sb.converge(backupSetup(), [], ENV), 3);
    expect(await grantsOf("mu_backup")).toEqual([
      expect.stringMatching(/^GRANT USAGE ON \*\.\* TO `mu_backup`@`localhost`/),
      `GRANT ${DUMP_GRANTS} ON \`mu\\_shop\`.* TO \`mu_backup\`@\`localhost\``,
      `GRANT ${DUMP_GRANTS} ON \`mu\\_wp\\_%\`.* TO \`mu_backup\`@\`localhost\``,
      PROC_GRANT(),
    ]);
    const c = await login("mu_backup", PASSWORD);
    try {
      expect((await c.query("SELECT item FROM mu_shop.orders"))[0]).toEqual([{ item: "marker-mu_shop" }]);
      await expect(c.query("INSERT INTO mu_shop.orders VALUES (2, 'x')")).rejects.toThrow(/INSERT command denied/);
    } finally {
      await c.end();
    }
    const dump = (db: string) =>
      sb.sh(`cd /; HOME=${HOME} runuser -u mu_backup -- mysqldump --single-transaction ${db}`);
    for (const db of ["mu_shop", "mu_wp_blog"]) {
      const ok = await dump(db);
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`marker-${db}`);
    }
    // mu_shop's "_" is literal: muXshop matches the pattern mu_shop but must not be granted.
    for (const db of ["mu_other", "muXshop"]) {
      const denied = await dump(db);
      expect(denied.exitCode).not.toBe(0);
      expect(denied.stderr).toContain("Access denied");
    }
  });

  it("reports nothing to do on a second converge", async () => {
    expectConverged(await sb.converge(backupSetup(), [], ENV), 0);
  });

  it("revokes a privilege added by hand, grants one revoked by hand, sets a changed password back", async () => {
    await asRoot("GRANT INSERT ON mu_other.* TO 'mu_backup'@'localhost'");
    await asRoot("GRANT DELETE ON `mu\\_shop`.* TO 'mu_backup'@'localhost' WITH GRANT OPTION");
    await asRoot("REVOKE TRIGGER ON `mu\\_shop`.* FROM 'mu_backup'@'localhost'");
    await asRoot("REVOKE SELECT ON mysql.proc FROM 'mu_backup'@'localhost'");
    await asRoot("ALTER USER 'mu_backup'@'localhost' IDENTIFIED BY 'changed-by-hand'");

    const grantsBefore = await grantsOf("mu_backup");
    const accountsBefore = await accounts();
    const audit = await sb.converge(runList(account()), ["--why-run"], ENV);
    expect(audit.exitCode).toBe(3);
    expect(await grantsOf("mu_backup")).toEqual(grantsBefore);
    expect(await accounts()).toEqual(accountsBefore);

    const r = await sb.converge(runList(account()), [], ENV);
    const out = expectConverged(r, 1);
    expect(out).toContain("set password of 'mu_backup'@'localhost' (sensitive: value not shown)");
    expect(out).toContain("revoke INSERT on `mu_other`.* from 'mu_backup'@'localhost' (not in the desired set)");
    expect(out).toContain("revoke DELETE, GRANT OPTION on `mu\\_shop`.*");
    expect(out).toContain("grant TRIGGER on `mu\\_shop`.* to 'mu_backup'@'localhost'");
    expect(out).toContain("grant SELECT on `mysql`.`proc` to 'mu_backup'@'localhost'");
    expect((await grantsOf("mu_backup")).slice(1)).toEqual([
      `GRANT ${DUMP_GRANTS} ON \`mu\\_shop\`.* TO \`mu_backup\`@\`localhost\``,
      `GRANT ${DUMP_GRANTS} ON \`mu\\_wp\\_%\`.* TO \`mu_backup\`@\`localhost\``,
      PROC_GRANT(),
    ]);
    await (await login("mu_backup", PASSWORD)).end();
    await expect(login("mu_backup", "changed-by-hand")).rejects.toThrow(/Access denied/);
  });

  it("keeps names and passwords with quotes, backslashes, %, spaces and unicode exact; x'@'% widens nothing", async () => {
    const name = "mu_x'@'%";
    const password = `lit'er"al\\ 100% ünï`;
    const awkward = runList(
      entry("mysql_user", name, { password, databases: ["mu_shop"], admin: { socket } }),
      entry("mysql_user", "mu_ü ser", { password: { env: "MU_PW" }, privileges: ["SELECT"], admin: { socket } }),
    );
    const r = await sb.converge(awkward, [], ENV);
    expect(r.stderr).toContain("a literal secret in the run-list");
    expectConverged(r, 2);
    expect((await accounts()).map((a) => `${a.user}@${a.host}`)).toEqual(
      expect.arrayContaining([`mu_x'@'%@localhost`, "mu_ü ser@localhost"]),
    );
    expect((await accounts()).filter((a) => a.host !== "localhost")).toEqual([]);
    expect((await grantsOf(name)).slice(1)).toEqual([
      `GRANT ${DUMP_GRANTS} ON \`mu\\_shop\`.* TO \`mu_x'@'%\`@\`localhost\``,
      PROC_GRANT("`mu_x'@'%`@`localhost`"),
    ]);
    expect(await grantsOf("mu_ü ser")).toEqual([
      expect.stringMatching(/^GRANT SELECT ON \*\.\* TO `mu_ü ser`@`localhost`/),
    ]);
    await (await login(name, password)).end();
    await (await login("mu_ü ser", PASSWORD)).end();
    const again = await sb.converge(awkward, [], ENV);
    expectConverged(again, 0);
  });

  it("never shows the password: not in doc or JSON output, not in any process's argv while converging", async () => {
    await asRoot("ALTER USER 'mu_backup'@'localhost' IDENTIFIED BY 'drifted'");
    const seen = new Set<string>();
    let running = true;
    let polledConverge = false;
    const poll = (async () => {
      while (running) {
        for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
          try {
            const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8");
            polledConverge ||= argv.includes("bin/converge.js");
            if (argv.includes(PASSWORD) || argv.includes("p@ss")) seen.add(argv.replace(/\0/g, " "));
          } catch {
            // the process ended between readdir and read
          }
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const doc = await sb.converge(runList(account()), ["--log-level", "debug"], ENV);
    await asRoot("ALTER USER 'mu_backup'@'localhost' IDENTIFIED BY 'drifted'");
    const json = await sb.converge(runList(account()), ["--format", "json", "--log-level", "debug"], ENV);
    running = false;
    await poll;
    expect(polledConverge, "the poll saw converge running").toBe(true);
    expect(seen).toEqual(new Set());
    expectConverged(doc, 1);
    expect(JSON.parse(json.stdout).resources[0].changes[0].summary).toContain("set password");
    for (const out of [doc.stdout, doc.stderr, json.stdout, json.stderr]) expect(out).not.toContain("p@ss");
  });

  it("fails a grant the admin may not give, with an error that does not contain the password", async () => {
    await asRoot("CREATE USER IF NOT EXISTS 'mu_weak'@'localhost' IDENTIFIED BY 'weak-admin-pw'");
    // Enough to read accounts and create one, not to grant.
    await asRoot("GRANT CREATE USER ON *.* TO 'mu_weak'@'localhost'");
    await asRoot("GRANT SELECT ON mysql.* TO 'mu_weak'@'localhost'");
    const victim = entry("mysql_user", "mu_victim", {
      password: { env: "MU_PW" },
      admin: { socket, user: "mu_weak", password: { env: "MU_ADMIN_PW" } },
    });
    const r = await sb.converge(runList(victim), ["--format", "json"], { ...ENV, MU_ADMIN_PW: "weak-admin-pw" });
    expect(r.exitCode).toBe(1);
    const [res] = JSON.parse(r.stdout).resources;
    expect(res.status).toBe("failed");
    expect(res.error).toMatch(
      /^grant SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES on \*\.\* .* failed: Access denied/,
    );
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain("p@ss");
      expect(out).not.toContain("weak-admin-pw");
    }
  });

  it("says why-run cannot see an unreachable server as an assumption, and fails a real run with exit 1", async () => {
    const gone = runList(account({ admin: { socket: "/tmp/mu-no-such.sock" } }));
    const audit = await sb.converge(gone, ["--why-run"], ENV);
    expect(audit.exitCode).toBe(3);
    expect(audit.stdout).toMatch(/assuming 'mu_backup'@'localhost' does not exist yet .*cannot connect/);
    const real = await sb.converge(gone, [], ENV);
    expect(real.exitCode).toBe(1);
    expect(real.stdout).toContain("cannot connect to the MySQL server at socket /tmp/mu-no-such.sock as root");
  });

  it("refuses bad properties with their path, before touching anything", async () => {
    const r = await sb.converge(runList(account({ privileges: ["SELECT", "ALL"], databases: ["a\\b"] })), [], ENV);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("properties/privileges/1: must be one of");
    expect(r.stderr).toContain("properties/databases/0: must match pattern");
  });

  it("refuses the same account (name and host) declared twice, and allows the name on another host", async () => {
    const twice = await sb.converge(runList(account(), account({ host: "localhost" })), ["--why-run"], ENV);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toContain("duplicate of run_list/0");
    const other = await sb.converge(runList(account(), account({ host: "10.0.0.%" })), ["--why-run"], ENV);
    expect(other.stderr).not.toContain("duplicate");
  });

  it("removes the account, idempotently", async () => {
    const r = await sb.converge(runList(account({}, "remove")), [], ENV);
    expect(expectConverged(r, 1)).toContain("drop user 'mu_backup'@'localhost'");
    expect(await asRoot("SELECT 1 FROM mysql.user WHERE user = 'mu_backup'")).toEqual([]);
    expectConverged(await sb.converge(runList(account({}, "remove")), [], ENV), 0);
  });
});
