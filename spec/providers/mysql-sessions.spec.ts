// The SQL side of the choke point, on the real MariaDB: load's session only reads (the client
// refuses other statements and the server holds the session read only), and apply's session
// writes only through the host, so why-run refuses every statement and observers see each.
import { existsSync } from "node:fs";
import { inject } from "vitest";
import { afterAll, describe, expect, it } from "vitest";
import { WhyRunViolation } from "../../engine/errors.js";
import { LocalHost, type Effect } from "../../engine/host.js";
import { NotARead, openReader, openWriter } from "../../providers/mysql/connection.js";

const { socket } = inject("mariadb");
const ACCOUNT = "ms_probe";
const exists = async () => {
  const r = await openReader({ socket }, "root");
  try {
    return (await r.query("SELECT 1 FROM mysql.user WHERE User = ?", [ACCOUNT])).length > 0;
  } finally {
    await r.close();
  }
};

afterAll(async () => {
  const w = await openWriter(new LocalHost(false), { socket }, "root");
  await w.write({ sql: "DROP USER IF EXISTS ?@'localhost'", values: [ACCOUNT], target: "cleanup" });
  await w.write({ sql: "DROP DATABASE IF EXISTS ms_probe", values: [], target: "cleanup" });
  await w.close();
});

describe("load's session", () => {
  it("reads", async () => {
    const r = await openReader({ socket }, "root");
    expect(await r.query("SHOW GRANTS")).not.toEqual([]);
    await r.close();
  });

  it.each([
    "CREATE USER ms_probe@localhost",
    "  select 1; CREATE USER ms_probe@localhost",
    "/*!50000 CREATE USER ms_probe@localhost */",
    "SET PASSWORD = PASSWORD('x')",
    "SELECT 1 INTO OUTFILE '/tmp/ms-probe'",
  ])("refuses %j, and the server is unchanged", async (sql) => {
    const r = await openReader({ socket }, "root");
    await expect(r.query(sql)).rejects.toBeInstanceOf(NotARead);
    await r.close();
    expect(await exists()).toBe(false); // no account made
    expect(existsSync("/tmp/ms-probe")).toBe(false); // no file written
  });

  it("is held read only by the server too: a function that writes, called from a SELECT, is refused there", async () => {
    const w = await openWriter(new LocalHost(false), { socket }, "root");
    for (const sql of [
      "CREATE DATABASE IF NOT EXISTS ms_probe",
      "CREATE TABLE IF NOT EXISTS ms_probe.t (n INT)",
      "CREATE OR REPLACE FUNCTION ms_probe.f() RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO ms_probe.t VALUES (1); RETURN 1; END",
    ])
      await w.write({ sql, values: [], target: "setup" });
    await w.close();
    const r = await openReader({ socket }, "root");
    // The client sees a SELECT; only the server knows the function writes.
    await expect(r.query("SELECT ms_probe.f()")).rejects.toMatchObject({
      code: "ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION",
    });
    expect(await r.query("SELECT COUNT(*) AS n FROM ms_probe.t")).toEqual([{ n: 0 }]);
    await r.close();
  });
});

describe("apply's session", () => {
  it("writes only through the host: why-run refuses the statement before it reaches the server", async () => {
    const w = await openWriter(new LocalHost(true), { socket }, "root");
    const create = { sql: "CREATE USER ?@'localhost'", values: [ACCOUNT], target: `create user ${ACCOUNT}` };
    await expect(w.write(create)).rejects.toBeInstanceOf(WhyRunViolation);
    await w.close();
    expect(await exists()).toBe(false);
  });

  it("announces each statement to the host's observer before it runs", async () => {
    const seen: Effect[] = [];
    const w = await openWriter(new LocalHost(false, (e) => void seen.push(e)), { socket }, "root");
    await w.write({ sql: "CREATE USER ?@'localhost'", values: [ACCOUNT], target: `create user ${ACCOUNT}` });
    await w.close();
    expect(seen).toEqual([{ kind: "sql", target: `create user ${ACCOUNT}` }]);
    expect(await exists()).toBe(true);
  });
});
