// The SHOW GRANTS parser on output captured from MariaDB 10.11.19 (and MySQL 8 shapes).
import { describe, expect, it } from "vitest";
import { parseGrants, scopeLabel } from "../../providers/mysql/grants.js";

/** Captured: SHOW GRANTS FOR 'x'@'localhost' on MariaDB 10.11.19 after assorted GRANTs. */
const MARIADB = [
  "GRANT `r1` TO `x`@`localhost`",
  "GRANT RELOAD, PROCESS, BINLOG MONITOR ON *.* TO `x`@`localhost` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122' WITH GRANT OPTION",
  "GRANT SELECT, LOCK TABLES ON `shop`.* TO `x`@`localhost`",
  "GRANT ALL PRIVILEGES ON `o``d`.* TO `x`@`localhost`",
  "GRANT SELECT, LOCK TABLES, SHOW VIEW, EVENT, TRIGGER ON `wp\\_%`.* TO `x`@`localhost`",
  "GRANT SELECT (`a`), INSERT (`a`, `b`), UPDATE ON `shop`.`t` TO `x`@`localhost`",
  "GRANT EXECUTE ON PROCEDURE `shop`.`p` TO `x`@`localhost`",
  "GRANT PROXY ON `r1`@`%` TO `x`@`localhost`",
];

const privilegesOf = (lines: string[]) =>
  Object.fromEntries([...parseGrants(lines).grants].map(([k, v]) => [k, [...v.privileges].sort()]));

describe("parseGrants", () => {
  it("reads privileges per scope, renames BINLOG MONITOR, notes GRANT OPTION and drops USAGE", () => {
    const g = parseGrants(MARIADB);
    expect(privilegesOf(MARIADB)).toEqual({
      "*.*": ["GRANT OPTION", "PROCESS", "RELOAD", "REPLICATION CLIENT"],
      "`shop`.*": ["LOCK TABLES", "SELECT"],
      "`o``d`.*": ["ALL PRIVILEGES"],
      "`wp\\_%`.*": ["EVENT", "LOCK TABLES", "SELECT", "SHOW VIEW", "TRIGGER"],
    });
    expect(g.grants.get("`o``d`.*")!.scope).toEqual({ db: "o`d", table: "*" });
    expect(g.grants.get("`wp\\_%`.*")!.scope).toEqual({ db: "wp\\_%", table: "*" });
  });

  it("keeps roles and proxies apart, and column and routine grants as lines to undo wholesale", () => {
    const g = parseGrants(MARIADB);
    expect(g.roles).toEqual([{ name: "r1" }]);
    expect(g.proxies).toEqual([{ name: "r1", host: "%" }]);
    expect(g.unrevocable).toEqual([MARIADB[5], MARIADB[6]]);
  });

  it("reads a fresh account as holding nothing, whatever its name contains", () => {
    const lines = [
      "GRANT USAGE ON *.* TO `x'@'%`@`localhost` IDENTIFIED BY PASSWORD '*EDCC7B8895E6F8BACB2F1802604831E8BD3DAEF7'",
      "GRANT SELECT ON `a\\\\b`.* TO `x'@'%`@`localhost`",
    ];
    expect(privilegesOf(lines)).toEqual({ "`a\\\\b`.*": ["SELECT"] });
    expect(parseGrants(lines).unrevocable).toEqual([]);
  });

  it("reads a table grant (the dump account's SELECT on mysql.proc) as its own scope", () => {
    // Captured: SHOW GRANTS FOR 'bk'@'localhost' on MariaDB 10.11.19 after the default grants.
    const lines = [
      "GRANT USAGE ON *.* TO `bk`@`localhost` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122'",
      "GRANT SELECT, LOCK TABLES, SHOW VIEW, EVENT, TRIGGER ON `rt`.* TO `bk`@`localhost`",
      "GRANT SELECT ON `mysql`.`proc` TO `bk`@`localhost`",
    ];
    expect(privilegesOf(lines)).toEqual({
      "`rt`.*": ["EVENT", "LOCK TABLES", "SELECT", "SHOW VIEW", "TRIGGER"],
      "`mysql`.`proc`": ["SELECT"],
    });
    expect(parseGrants(lines).grants.get("`mysql`.`proc`")!.scope).toEqual({ db: "mysql", table: "proc" });
    expect(parseGrants(lines).unrevocable).toEqual([]);
  });

  it("does not take GRANT OPTION from inside a quoted account name", () => {
    const lines = ["GRANT SELECT ON `d`.* TO `a WITH GRANT OPTION`@`localhost`"];
    expect(privilegesOf(lines)).toEqual({ "`d`.*": ["SELECT"] });
  });

  it("reads MySQL 8 shapes: table grants, role accounts, dynamic privileges, partial revokes", () => {
    const lines = [
      "GRANT USAGE ON *.* TO `bk`@`localhost`",
      "GRANT BACKUP_ADMIN ON *.* TO `bk`@`localhost`",
      "GRANT SELECT, INSERT ON `shop`.`orders` TO `bk`@`localhost`",
      "REVOKE INSERT ON `mysql`.* FROM `bk`@`localhost`",
      "GRANT `reader`@`%` TO `bk`@`localhost`",
    ];
    const g = parseGrants(lines);
    expect(privilegesOf(lines)).toEqual({ "*.*": ["BACKUP_ADMIN"], "`shop`.`orders`": ["INSERT", "SELECT"] });
    expect(g.roles).toEqual([{ name: "reader", host: "%" }]);
    expect(g.unrevocable).toEqual([]);
  });

  it("keeps a line it cannot read as one to undo wholesale", () => {
    expect(parseGrants(["GRANT SELECT ON weird TO `x`@`h`"]).unrevocable).toHaveLength(1);
  });

  it("labels scopes with backticks doubled", () => {
    expect(scopeLabel({ db: "*", table: "*" })).toBe("*.*");
    expect(scopeLabel({ db: "a`b", table: "t" })).toBe("`a``b`.`t`");
  });
});
