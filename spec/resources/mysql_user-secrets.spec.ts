// mysql_user keeps the password to itself, against the harness's MariaDB: never in converge's
// output or any argv, never in clear in the server's logs, and why-run never logs in as the account
// to check it (a login is a side effect: failed-login counters, audit logs).
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nativePasswordHash } from "../../providers/mysql/password.js";
import { expectConverged, runList } from "../support/run-lists.js";
import { asRoot, generalLogDuring, logsIn, PASSWORD, useServer, userEntry } from "../support/mysql-accounts.js";

const account = () => userEntry("ms_backup", { databases: ["ms_shop"] });
/** Parts of PASSWORD that any quoting of it would still show. */
const TELLTALES = ["p@ss", "wörd"];

describe("mysql_user secrets", () => {
  const { converge } = useServer("ms_", ["ms_shop"]);

  it("sends only the password's hash: the server's log never holds it, and the account logs in after create and after a change", async () => {
    const log = await generalLogDuring(async () => {
      expectConverged(await converge(runList(account())), 1);
      await logsIn("ms_backup", PASSWORD);
      await asRoot("ALTER USER 'ms_backup'@'localhost' IDENTIFIED BY 'drifted'");
      expect(expectConverged(await converge(runList(account())), 1)).toContain("set password");
      await logsIn("ms_backup", PASSWORD);
    });
    const hash = nativePasswordHash(PASSWORD);
    expect(log).toContain(`CREATE USER 'ms_backup'@'localhost' IDENTIFIED BY PASSWORD '${hash}'`);
    expect(log).toContain(`ALTER USER 'ms_backup'@'localhost' IDENTIFIED BY PASSWORD '${hash}'`);
    for (const t of TELLTALES) expect(log).not.toContain(t);
  });

  it("why-run does not log in as the account to check a salted password and says so; a real run does", async () => {
    // A MySQL 8 account as MariaDB can hold one: only a login could test its salted hash. MariaDB has
    // no caching_sha2_password plugin, so the real run's login fails, which is as loud as it should be.
    await asRoot(
      "UPDATE mysql.global_priv SET Priv = JSON_SET(Priv, '$.plugin', 'caching_sha2_password', '$.authentication_string', ?) WHERE User = 'ms_backup' AND Host = 'localhost'",
      ["$A$005$0123456789abcdefghijSALTEDHASH"],
    );
    await asRoot("FLUSH PRIVILEGES");
    let audit = { stdout: "", exitCode: -1 };
    const whyRunLog = await generalLogDuring(async () => {
      audit = await converge(runList(account()), ["--why-run"]);
    });
    expect(audit.exitCode, audit.stdout).toBe(0);
    expect(audit.stdout).toContain(
      "assuming the password of 'ms_backup'@'localhost' is unchanged (with caching_sha2_password it cannot be verified without logging in as the account)",
    );
    expect(whyRunLog).toMatch(/Connect\s+root@localhost/);
    expect(whyRunLog).not.toMatch(/Connect\s+ms_backup@/);

    let real = { stdout: "", exitCode: -1 };
    const realLog = await generalLogDuring(async () => {
      real = await converge(runList(account()));
    });
    expect(realLog).toMatch(/Connect\s+ms_backup@localhost/);
    expect(real.exitCode).toBe(1);
    expect(real.stdout).toContain("cannot check the password of 'ms_backup'@'localhost' by logging in");
  });

  it("never shows the password: not in doc or JSON output, not in any process's argv while converging", async () => {
    await asRoot("ALTER USER 'ms_backup'@'localhost' IDENTIFIED BY 'drifted'");
    const seen = new Set<string>();
    let running = true;
    let polledConverge = false;
    const poll = (async () => {
      while (running) {
        for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
          try {
            const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8");
            polledConverge ||= argv.includes("bin/converge.js");
            if (argv.includes(PASSWORD) || TELLTALES.some((t) => argv.includes(t))) seen.add(argv.replace(/\0/g, " "));
          } catch {
            // the process ended between readdir and read
          }
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const doc = await converge(runList(account()), ["--log-level", "debug"]);
    await asRoot("ALTER USER 'ms_backup'@'localhost' IDENTIFIED BY 'drifted'");
    const json = await converge(runList(account()), ["--format", "json", "--log-level", "debug"]);
    running = false;
    await poll;
    expect(polledConverge, "the poll saw converge running").toBe(true);
    expect(seen).toEqual(new Set());
    expectConverged(doc, 1);
    expect(JSON.parse(json.stdout).resources[0].changes[0].summary).toContain("set password");
    for (const out of [doc.stdout, doc.stderr, json.stdout, json.stderr])
      for (const t of TELLTALES) expect(out).not.toContain(t);
  });
});
