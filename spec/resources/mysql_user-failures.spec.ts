// mysql_user refusing what it cannot do, against the harness's MariaDB: bad properties (exit 2,
// before anything is touched), an admin without the rights (exit 1, no secret in the error), and a
// server that cannot be reached (why-run says what it assumes, in agreement with its plan).
import { describe, expect, it } from "vitest";
import { runList } from "../support/run-lists.js";
import { asRoot, ENV, socket, useServer, userEntry } from "../support/mysql-accounts.js";

const account = (properties: object = {}, action: "create" | "remove" = "create") =>
  userEntry("mf_backup", properties, action);

describe("mysql_user failures", () => {
  const { converge } = useServer("mf_");

  it("fails a grant the admin may not give, with an error that does not contain the password", async () => {
    await asRoot("CREATE USER IF NOT EXISTS 'mf_weak'@'localhost' IDENTIFIED BY 'weak-admin-pw'");
    // Enough to read accounts and create one, not to grant.
    await asRoot("GRANT CREATE USER ON *.* TO 'mf_weak'@'localhost'");
    await asRoot("GRANT SELECT ON mysql.* TO 'mf_weak'@'localhost'");
    const victim = account({ admin: { socket, user: "mf_weak", password: { env: "MU_ADMIN_PW" } } });
    const r = await converge(runList(victim), ["--format", "json"], { ...ENV, MU_ADMIN_PW: "weak-admin-pw" });
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

  it("says why-run cannot see an unreachable server as an assumption that agrees with the plan; a real run fails", async () => {
    const gone = { admin: { socket: "/tmp/mf-no-such.sock" } };
    const create = await converge(runList(account(gone)), ["--why-run"]);
    expect(create.exitCode).toBe(3);
    expect(create.stdout).toMatch(/assuming 'mf_backup'@'localhost' does not exist yet .*cannot connect/);
    expect(create.stdout).toContain("Would create user 'mf_backup'@'localhost'");
    const remove = await converge(runList(account(gone, "remove")), ["--why-run"]);
    expect(remove.exitCode).toBe(3);
    expect(remove.stdout).toMatch(/assuming 'mf_backup'@'localhost' exists .*cannot connect/);
    expect(remove.stdout).toContain("Would drop user 'mf_backup'@'localhost'");
    expect(remove.stdout).not.toContain("does not exist");
    const real = await converge(runList(account(gone)));
    expect(real.exitCode).toBe(1);
    expect(real.stdout).toContain("cannot connect to the MySQL server at socket /tmp/mf-no-such.sock as root");
  });

  it("refuses bad properties with their path, before touching anything", async () => {
    const r = await converge(runList(account({ privileges: ["SELECT", "ALL"], databases: ["a\\b"] })));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("properties/privileges/1: must be one of");
    expect(r.stderr).toContain("properties/databases/0: must match pattern");
    const port = await converge(runList(account({ admin: { host: "localhost", port: 3307 } })));
    expect(port.exitCode).toBe(2);
    expect(port.stderr).toContain('host "localhost" means the unix socket');
  });

  it("refuses the same account (name and host) declared twice, and allows the name on another host", async () => {
    const twice = await converge(runList(account(), account({ host: "localhost" })), ["--why-run"]);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toContain("duplicate of run_list/0");
    const other = await converge(runList(account(), account({ host: "10.0.0.%" })), ["--why-run"]);
    expect(other.stderr).not.toContain("duplicate");
  });
});
