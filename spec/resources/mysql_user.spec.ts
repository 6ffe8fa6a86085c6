// mysql_user's accounts and grants against the private MariaDB the harness starts: outcomes are read
// back from the server (mysql.user, SHOW GRANTS, logging in, dumping), never from what converge says
// it did. Secrets are in mysql_user-secrets.spec.ts, refusals and failures in mysql_user-failures.spec.ts.
import { describe, expect, it } from "vitest";
import { expectConverged, runList, entry } from "../support/run-lists.js";
import { asRoot, grantsOf, login, logsIn, PASSWORD, socket, useServer, userEntry } from "../support/mysql-accounts.js";

const HOME = "/var/lib/mu_backup";

const account = (properties: object = {}, action: "create" | "remove" = "create") =>
  userEntry("mu_backup", { databases: ["mu_shop", "mu_wp_%"], ...properties }, action);

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

describe("mysql_user accounts and grants", () => {
  const server = useServer("mu_", ["mu_shop", "mu_wp_blog", "muXshop", "mu_other"]);
  const { accounts, converge } = server;

  it("why-run against the live server reports the plan and changes nothing", async () => {
    const before = await accounts();
    const r = await converge(runList(account()), ["--why-run"]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stdout).toContain("Would create user 'mu_backup'@'localhost'");
    expect(r.stdout).toContain(`Would grant SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES on \`mu\\_shop\`.*`);
    expect(r.stdout).toContain("on `mu\\_wp\\_%`.*");
    expect(r.stdout).toContain("Would grant SELECT on `mysql`.`proc` to 'mu_backup'@'localhost'");
    expect(await accounts()).toEqual(before);
  });

  it("creates an account that logs in, dumps granted databases through its .my.cnf, and nothing more", async () => {
    expectConverged(await converge(backupSetup()), 3);
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
      server.sandbox().sh(`cd /; HOME=${HOME} runuser -u mu_backup -- mysqldump --single-transaction ${db}`);
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
    expectConverged(await converge(backupSetup()), 0);
  });

  it("revokes a privilege added by hand, grants one revoked by hand, sets a changed password back", async () => {
    await asRoot("GRANT INSERT ON mu_other.* TO 'mu_backup'@'localhost'");
    await asRoot("GRANT DELETE ON `mu\\_shop`.* TO 'mu_backup'@'localhost' WITH GRANT OPTION");
    await asRoot("REVOKE TRIGGER ON `mu\\_shop`.* FROM 'mu_backup'@'localhost'");
    await asRoot("REVOKE SELECT ON mysql.proc FROM 'mu_backup'@'localhost'");
    await asRoot("ALTER USER 'mu_backup'@'localhost' IDENTIFIED BY 'changed-by-hand'");

    const grantsBefore = await grantsOf("mu_backup");
    const accountsBefore = await accounts();
    const audit = await converge(runList(account()), ["--why-run"]);
    expect(audit.exitCode).toBe(3);
    expect(await grantsOf("mu_backup")).toEqual(grantsBefore);
    expect(await accounts()).toEqual(accountsBefore);

    const r = await converge(runList(account()));
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
    await logsIn("mu_backup", PASSWORD);
    await expect(login("mu_backup", "changed-by-hand")).rejects.toThrow(/Access denied/);
  });

  it("keeps names and passwords with quotes, backslashes, %, spaces and unicode exact; x'@'% widens nothing", async () => {
    const name = "mu_x'@'%";
    const password = `lit'er"al\\ 100% ünï`;
    const awkward = runList(
      entry("mysql_user", name, { password, databases: ["mu_shop"], admin: { socket } }),
      entry("mysql_user", "mu_ü ser", { password: { env: "MU_PW" }, privileges: ["SELECT"], admin: { socket } }),
    );
    const r = await converge(awkward);
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
    await logsIn(name, password);
    await logsIn("mu_ü ser", PASSWORD);
    const again = await converge(awkward);
    expectConverged(again, 0);
  });

  it("removes the account, idempotently", async () => {
    const r = await converge(runList(account({}, "remove")));
    expect(expectConverged(r, 1)).toContain("drop user 'mu_backup'@'localhost'");
    expect(await asRoot("SELECT 1 FROM mysql.user WHERE user = 'mu_backup'")).toEqual([]);
    expectConverged(await converge(runList(account({}, "remove"))), 0);
  });
});
