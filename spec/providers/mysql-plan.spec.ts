// Pure pieces of the mysql provider: desired grants, the plan, the SQL it becomes, the password check.
import mysql from "mysql2";
import { describe, expect, it } from "vitest";
import { parseGrants } from "../../providers/mysql/grants.js";
import { identification, nativePasswordHash, passwordVerdict } from "../../providers/mysql/password.js";
import { describe as describeOp, planCreate, planRemove, type Account } from "../../providers/mysql/plan.js";
import { databasePattern, defaultPrivileges, desiredGrants } from "../../providers/mysql/privileges.js";
import { parseServerVersion } from "../../providers/mysql/server.js";
import { statementOf } from "../../providers/mysql/statements.js";

const account: Account = { name: "x'@'%", host: "localhost" };
const DUMP = ["SELECT", "SHOW VIEW", "TRIGGER", "EVENT", "LOCK TABLES", "SHOW CREATE ROUTINE"];
const MARIADB = parseServerVersion("10.11.19-MariaDB-0+deb12u1");
/** The SQL as mysql2 sends it (placeholders filled on the client), for a password set on MariaDB. */
const sql = (ops: ReturnType<typeof planCreate>, password?: string) =>
  ops.map((op) => {
    const st = statementOf(
      op,
      account,
      password === undefined ? undefined : identification(password, MARIADB),
      mysql.escapeId,
    );
    return mysql.format(st.sql, st.values);
  });

describe("privileges", () => {
  it("adds PROCESS by default only where mysqldump needs it for tablespaces (MySQL 8.0.21+, 5.7.31+)", () => {
    const has = (v: string) => defaultPrivileges(parseServerVersion(v)).includes("PROCESS");
    expect(has("10.11.19-MariaDB-0+deb12u1")).toBe(false);
    expect(has("8.0.20")).toBe(false);
    expect(has("8.0.21")).toBe(true);
    expect(has("8.4.3-log")).toBe(true);
    expect(has("5.7.31")).toBe(true);
    expect(defaultPrivileges(undefined)).toEqual(DUMP);
  });

  it("grants SHOW CREATE ROUTINE (in the default set) as each server can: mysql.proc, itself, SHOW_ROUTINE", () => {
    const grantsOn = (v: string | undefined, databases?: string[]) => {
      const server = v === undefined ? undefined : parseServerVersion(v);
      const map = desiredGrants(defaultPrivileges(server), databases, server);
      return Object.fromEntries([...map].map(([k, g]) => [k, [...g.privileges]]));
    };
    const rows = DUMP.slice(0, -1);
    // SELECT on mysql.proc where the server has nothing narrower: MariaDB before 11.3, MySQL 5.x, unknown.
    for (const v of ["10.11.19-MariaDB-0+deb12u1", "11.2.6-MariaDB", "5.7.30", undefined])
      expect(grantsOn(v, ["shop"])).toEqual({ "`shop`.*": rows, "`mysql`.`proc`": ["SELECT"] });
    expect(grantsOn("10.11.19-MariaDB", undefined)).toEqual({ "*.*": rows, "`mysql`.`proc`": ["SELECT"] });
    expect(grantsOn("11.3.0-MariaDB", ["shop"])).toEqual({ "`shop`.*": DUMP });
    expect(grantsOn("8.0.20", ["shop"])).toEqual({ "*.*": ["SHOW_ROUTINE"], "`shop`.*": rows });
    expect(grantsOn("8.4.3-log", ["shop"])).toEqual({ "*.*": ["PROCESS", "SHOW_ROUTINE"], "`shop`.*": rows });
    // MySQL 8.0.0-8.0.19: no mysql.proc and no SHOW_ROUTINE; only global SELECT would do, never added.
    expect(grantsOn("8.0.19", ["shop"])).toEqual({ "`shop`.*": rows });
  });

  it("keeps _ literal and % a wildcard in database patterns", () => {
    expect(databasePattern("wp_%")).toBe("wp\\_%");
    expect(databasePattern("shop_1")).toBe("shop\\_1");
  });

  it("grants database privileges per pattern and global ones on *.*", () => {
    const g = desiredGrants(["SELECT", "PROCESS"], ["wp_%", "shop"], MARIADB);
    expect([...g.keys()]).toEqual(["*.*", "`wp\\_%`.*", "`shop`.*"]);
    expect([...g.get("*.*")!.privileges]).toEqual(["PROCESS"]);
    expect([...desiredGrants(["SELECT"], undefined, MARIADB).keys()]).toEqual(["*.*"]);
  });
});

describe("plan and statements", () => {
  const desired = desiredGrants(["SELECT", "LOCK TABLES"], ["shop"], MARIADB);

  it("creates then grants, with every account through placeholders and only the password's hash sent", () => {
    const ops = planCreate(undefined, desired);
    expect(sql(ops, "p'w\\")).toEqual([
      `CREATE USER 'x\\'@\\'%'@'localhost' IDENTIFIED BY PASSWORD '${nativePasswordHash("p'w\\")}'`,
      "GRANT SELECT, LOCK TABLES ON `shop`.* TO 'x\\'@\\'%'@'localhost'",
    ]);
    expect(statementOf(ops[0], account, identification("pw", MARIADB), mysql.escapeId).secret).toBe(true);
    expect(sql([{ kind: "set-password" }], "pw")).toEqual([
      `ALTER USER 'x\\'@\\'%'@'localhost' IDENTIFIED BY PASSWORD '${nativePasswordHash("pw")}'`,
    ]);
  });

  it("revokes extras (roles, proxies, GRANT OPTION), grants what is missing, and sets a wrong password", () => {
    const current = parseGrants([
      "GRANT `r1` TO `x`@`localhost`",
      "GRANT PROXY ON `r1`@`%` TO `x`@`localhost`",
      "GRANT SELECT, INSERT ON `shop`.* TO `x`@`localhost` WITH GRANT OPTION",
      "GRANT SELECT ON `a.b`.* TO `x`@`localhost`",
    ]);
    const ops = planCreate({ passwordMatches: false, grants: current }, desired);
    expect(ops.map((op) => describeOp(op, account))).toEqual([
      "set password of 'x\\'@\\'%'@'localhost' (sensitive: value not shown)",
      "revoke role 'r1' from 'x\\'@\\'%'@'localhost' (not in the desired set)",
      "revoke proxy on 'r1'@'%' from 'x\\'@\\'%'@'localhost' (not in the desired set)",
      "revoke INSERT, GRANT OPTION on `shop`.* from 'x\\'@\\'%'@'localhost' (not in the desired set)",
      "revoke SELECT on `a.b`.* from 'x\\'@\\'%'@'localhost' (not in the desired set)",
      "grant LOCK TABLES on `shop`.* to 'x\\'@\\'%'@'localhost'",
    ]);
    expect(sql(ops, "new").slice(1, 5)).toEqual([
      "REVOKE 'r1' FROM 'x\\'@\\'%'@'localhost'",
      "REVOKE PROXY ON 'r1'@'%' FROM 'x\\'@\\'%'@'localhost'",
      "REVOKE INSERT, GRANT OPTION ON `shop`.* FROM 'x\\'@\\'%'@'localhost'",
      // a dot inside a database name stays inside one identifier
      "REVOKE SELECT ON `a.b`.* FROM 'x\\'@\\'%'@'localhost'",
    ]);
  });

  it("starts from nothing when column or routine grants are present", () => {
    const current = parseGrants(["GRANT SELECT (`a`) ON `shop`.`t` TO `x`@`localhost`"]);
    const ops = planCreate({ passwordMatches: true, grants: current }, desired);
    expect(sql(ops)).toEqual([
      "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'x\\'@\\'%'@'localhost'",
      "GRANT SELECT, LOCK TABLES ON `shop`.* TO 'x\\'@\\'%'@'localhost'",
    ]);
  });

  it("treats the table grant on mysql.proc like any other: kept when current, granted when missing, revoked when not desired", () => {
    const withProc = desiredGrants(defaultPrivileges(MARIADB), ["shop"], MARIADB);
    const current = (...extra: string[]) =>
      parseGrants(["GRANT SELECT, LOCK TABLES, SHOW VIEW, EVENT, TRIGGER ON `shop`.* TO `x`@`h`", ...extra]);
    const proc = "GRANT SELECT ON `mysql`.`proc` TO `x`@`h`";
    expect(planCreate({ passwordMatches: true, grants: current(proc) }, withProc)).toEqual([]);
    expect(sql(planCreate({ passwordMatches: true, grants: current() }, withProc))).toEqual([
      "GRANT SELECT ON `mysql`.`proc` TO 'x\\'@\\'%'@'localhost'",
    ]);
    const withoutRoutines = desiredGrants(
      ["SELECT", "SHOW VIEW", "TRIGGER", "EVENT", "LOCK TABLES"],
      ["shop"],
      MARIADB,
    );
    expect(sql(planCreate({ passwordMatches: true, grants: current(proc) }, withoutRoutines))).toEqual([
      "REVOKE SELECT ON `mysql`.`proc` FROM 'x\\'@\\'%'@'localhost'",
    ]);
  });

  it("does nothing when the account matches, and remove is idempotent", () => {
    const current = parseGrants(["GRANT USAGE ON *.* TO `x`@`h`", "GRANT LOCK TABLES, SELECT ON `shop`.* TO `x`@`h`"]);
    expect(planCreate({ passwordMatches: true, grants: current }, desired)).toEqual([]);
    expect(sql(planRemove(true))).toEqual(["DROP USER 'x\\'@\\'%'@'localhost'"]);
    expect(planRemove(false)).toEqual([]);
  });
});

describe("password check", () => {
  it("computes mysql_native_password's stored form (as the server did for 'pw')", () => {
    expect(nativePasswordHash("pw")).toBe("*D821809F681A40A6E379B50D0463EFAE20BDD122");
  });

  it("sends the stored form wherever the server takes it: MariaDB, MySQL's native plugin; MySQL rewrites the rest in its logs", () => {
    const hash = nativePasswordHash("pw");
    expect(identification("pw", MARIADB, "ed25519")).toEqual({ clause: "IDENTIFIED BY PASSWORD ?", value: hash });
    expect(identification("pw", undefined)).toEqual({ clause: "IDENTIFIED BY PASSWORD ?", value: hash });
    const mysql8 = parseServerVersion("8.0.36");
    expect(identification("pw", mysql8, "mysql_native_password")).toEqual({
      clause: "IDENTIFIED WITH mysql_native_password AS ?",
      value: hash,
    });
    expect(identification("pw", mysql8, "caching_sha2_password")).toEqual({ clause: "IDENTIFIED BY ?", value: "pw" });
    expect(identification("pw", mysql8)).toEqual({ clause: "IDENTIFIED BY ?", value: "pw" });
  });

  it("compares native hashes, logs in for salted plugins, and refuses socket-only accounts", () => {
    const stored = nativePasswordHash("pw");
    expect(passwordVerdict("mysql_native_password", stored, "pw")).toBe("match");
    expect(passwordVerdict("mysql_native_password", stored, "pW")).toBe("differs");
    expect(passwordVerdict("caching_sha2_password", "$A$005$salt", "pw")).toBe("login");
    expect(passwordVerdict("unix_socket", "", "pw")).toBe("differs");
    // mysql2 cannot log in through MariaDB's ed25519: set again, as mysql_native_password.
    expect(passwordVerdict("ed25519", "ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY", "pw")).toBe("differs");
  });
});
