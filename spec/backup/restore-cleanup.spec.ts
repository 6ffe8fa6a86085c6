// What a failed or interrupted restore leaves: nothing, or a message saying exactly what. A
// failed clean-up DROP is reported; SIGINT/SIGTERM drop the partial database or remove the
// partial tree and exit 130/143; an archive unpacks where no other user can reach it until its
// SHA-256 matched, and then comes back with owners and setuid bits intact.
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import { utcDay } from "../../backup/keys.js";
import { sqlAsRoot } from "../support/mariadb.js";
import { createBucket } from "../support/s3-server.js";
import { cnf, fakeBin, jobConfig, operatorEnv, plantRun, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");
const { socket } = inject("mariadb");
const id = randomBytes(3).toString("hex");
const leftovers: string[] = [];

afterAll(() => {
  for (const db of leftovers) sqlAsRoot(socket, `DROP DATABASE IF EXISTS ${db}`);
});

const tablesIn = (db: string) =>
  Number(sqlAsRoot(socket, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '${db}'`)[0][0]);

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 200) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A bucket whose newest run holds one dump (stored as given, correct manifest); returns the config. */
async function dumpRun(name: string, sql: string): Promise<string> {
  const bucket = await createBucket(s3);
  const now = new Date();
  const body = Buffer.from(sql);
  await plantRun(s3, bucket, {
    day: utcDay(now),
    finishedAt: now.toISOString(),
    objects: [{ name, kind: "mysql", source: name, body }],
  });
  return writeConfig(jobConfig(s3, bucket));
}

const restoreDb = (cfg: string, name: string, target: string, login: string, onSpawn?: (pid: number) => void) =>
  runCli(["restore", "--config", cfg, "--name", name, "--into-database", target, "--mysql-defaults-file", login], {
    env: operatorEnv(s3),
    onSpawn,
  });

describe("database restore", () => {
  test("a failed restore whose DROP fails says the database is left half-restored, not 'nothing restored'", async () => {
    const [user, password, target] = [`nodrop_${id}`, randomBytes(9).toString("hex"), `half_${id}`];
    leftovers.push(target);
    sqlAsRoot(
      socket,
      `CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}';
      GRANT SELECT, INSERT, CREATE, ALTER, INDEX, LOCK TABLES ON *.* TO '${user}'@'localhost';`,
    );
    const cfg = await dumpRun(`d_${id}`, "CREATE TABLE t (x INT);\nINSERT INTO t VALUES (1);\nNOT SQL AT ALL;\n");
    const login = cnf([`user=${user}`, `password=${password}`, `socket=${socket}`]);
    const r = await restoreDb(cfg, `d_${id}`, target, login);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERROR 1064");
    expect(r.stderr).toMatch(
      new RegExp(`database ${target} is left half-restored, and dropping it failed \\(.*denied`),
    );
    expect(r.stderr).toContain("drop it by hand");
    expect(r.stderr).not.toContain("nothing restored");
    expect(r.stderr).not.toContain(password);
    expect(tablesIn(target)).toBe(1);
  });

  test.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s during the restore drops the partial database and exits %i", async (signal, code) => {
    const [name, target] = [`slow_${signal}_${id}`, `cut_${signal}_${id}`];
    leftovers.push(target);
    const cfg = await dumpRun(name, "CREATE TABLE t (x INT);\nINSERT INTO t VALUES (1);\nSELECT SLEEP(20);\n");
    let pid = 0;
    const running = restoreDb(cfg, name, target, cnf(["user=root", `socket=${socket}`]), (p) => (pid = p));
    await until("the first table", () => tablesIn(target) === 1);
    process.kill(pid, signal);
    const r = await running;
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(`${signal}: stopping and cleaning up`);
    expect(r.stderr).toContain(
      `FAILED ${name}: interrupted by ${signal}; nothing restored (database ${target} dropped again)`,
    );
    expect(sqlAsRoot(socket, `SHOW DATABASES LIKE '${target}'`)).toEqual([]);
  });
});

/** A tree with a setuid file, another owner and a symlink, backed up by a real run. */
async function fileRun() {
  const src = join(tempDir("s3b-src-"), "app");
  mkdirSync(join(src, "bin"), { recursive: true });
  writeFileSync(join(src, "bin/tool"), "#!/bin/sh\n");
  chownSync(join(src, "bin/tool"), 0, 0);
  chmodSync(join(src, "bin/tool"), 0o4755);
  writeFileSync(join(src, "data"), "x\n");
  chownSync(join(src, "data"), 1234, 2345);
  chmodSync(join(src, "data"), 0o2640);
  symlinkSync("bin/tool", join(src, "link"));
  const cfg = writeConfig(jobConfig(s3, await createBucket(s3), { assets: [src] }));
  expect((await runCli(["run", "--config", cfg])).code).toBe(0);
  return { src, cfg };
}

const meta = (p: string) => {
  const st = lstatSync(p);
  return `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
};

describe("file restore", () => {
  test("owners, setuid/setgid bits and links come back; nothing is left but the tree", async () => {
    const { src, cfg } = await fileRun();
    const to = join(tempDir("s3b-restore-"), "t");
    const r = await runCli(["restore", "--config", cfg, "--name", src, "--to", to], { env: operatorEnv(s3) });
    expect(r.code).toBe(0);
    for (const f of ["bin/tool", "data", "link", "bin"]) expect(meta(join(to, src, f))).toBe(meta(join(src, f)));
    expect(readdirSync(to)).toEqual([src.split("/")[1]]);
  });

  test("until the archive matched it sits in a 0700 directory; SIGTERM then removes everything and exits 143", async () => {
    const { src, cfg } = await fileRun();
    // Unpacks for real, then waits as if the archive were still streaming.
    const bin = fakeBin({ tar: `/usr/bin/tar "$@" && exec sleep 30` });
    const to = join(tempDir("s3b-restore-"), "t");
    let pid = 0;
    const running = runCli(["restore", "--config", cfg, "--name", src, "--to", to], {
      env: { ...operatorEnv(s3), PATH: `${bin}:${process.env.PATH}` },
      onSpawn: (p) => (pid = p),
    });
    const staging = () => (existsSync(to) ? readdirSync(to).filter((f) => f.startsWith(".s3-backup-partial-")) : []);
    await until(
      "the unpacked setuid file",
      () => staging().length === 1 && existsSync(join(to, staging()[0], src, "bin/tool")),
    );
    expect(readdirSync(to)).toEqual(staging());
    expect(meta(join(to, staging()[0]))).toBe("700 0:0");
    expect(meta(join(to, staging()[0], src, "bin/tool"))).toBe("4755 0:0");
    process.kill(pid, "SIGTERM");
    const r = await running;
    expect(r.code).toBe(143);
    expect(r.stderr).toContain(`FAILED ${src}: interrupted by SIGTERM; nothing restored`);
    expect(existsSync(to)).toBe(false);
  });
});
