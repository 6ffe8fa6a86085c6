// No false success: a producer that fails (exits non-zero after writing data, or is killed mid
// stream) leaves no object under its key and no incomplete multipart upload, the run goes on with
// the next asset and exits 1 naming the failed one. Permanent S3 errors stop quickly.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import { join } from "node:path";
import { describe, expect, inject, test } from "vitest";
import { sqlAsRoot } from "../support/mariadb.js";
import { createBucket, incompleteUploads } from "../support/s3-server.js";
import { cnf, fakeBin, jobConfig, listKeys, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");
const { socket } = inject("mariadb");

/** What s3rver holds for a bucket besides objects: its in-progress multipart uploads. */
function uploadsOnDisk(bucket: string): string[] {
  const dir = join(s3.directory, bucket, "._S3rver_uploads");
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe("failing producers", () => {
  test.each([
    ["small (would be a single PutObject)", 100_000, "none"],
    ["large (multipart, several parts sent before the failure)", 30 * 1024 * 1024, "none"],
    // zstd reads tar's output without the job in between, and itself ends cleanly (exit 0).
    ["through zstd, which exits 0", 3 * 1024 * 1024, "zstd"],
  ])(
    "a producer that exits non-zero after writing data: %s -> no object, no incomplete upload, exit 1 naming it",
    async (_label, bytes, compression) => {
      const bucket = await createBucket(s3);
      const good = tempDir("s3b-good-");
      writeFileSync(join(good, "f.txt"), "fine\n");
      const broken = join(tempDir("s3b-broken-"), "broken");
      // A tar that writes `bytes` of data for the "broken" path, then fails; the real tar otherwise.
      const bin = fakeBin({
        tar: `for a; do last="$a"; done
case "$last" in *broken) head -c ${bytes} /dev/urandom; echo "tar: simulated read error" >&2; exit 3;; esac
exec /usr/bin/tar "$@"`,
      });
      const cfg = writeConfig(jobConfig(s3, bucket, { compression, assets: [broken, good] }));
      const r = await runCli(["run", "--config", cfg], { env: { PATH: `${bin}:${process.env.PATH}` } });
      expect(r.code).toBe(1);
      const brokenName = broken.slice(1).replace(/[^A-Za-z0-9._-]+/g, "_");
      expect(r.stderr).toContain(`FAILED ${brokenName}`);
      expect(r.stderr).toContain("tar exited 3: tar: simulated read error");
      expect(r.stderr).not.toContain("zstd exited");
      const keys = await listKeys(s3, bucket);
      expect(keys.filter((k) => k.includes(brokenName))).toEqual([]);
      // The run went on: the good asset and the manifest (which records the failure) are there.
      expect(keys.filter((k) => k.includes(".tar"))).toHaveLength(1);
      expect(keys.filter((k) => k.endsWith(".manifest.json"))).toHaveLength(1);
      expect(await incompleteUploads(s3, bucket)).toEqual([]);
      expect(uploadsOnDisk(bucket)).toEqual([]);
    },
  );

  test("the compressor dies while tar still writes -> no object, no incomplete upload, exit 1 naming zstd and its stderr", async () => {
    const bucket = await createBucket(s3);
    const asset = join(tempDir("s3b-big-"), "big");
    mkdirSync(asset);
    writeFileSync(join(asset, "data.bin"), randomBytes(20 * 1024 * 1024));
    // A zstd that reads a little of tar's output, complains and exits 1: tar is left writing to
    // a reader that is gone, and must not be left blocked or complete anything.
    const bin = fakeBin({ zstd: `head -c 65536 >/dev/null; echo "zstd: simulated write error" >&2; exit 1` });
    const cfg = writeConfig(
      jobConfig(s3, bucket, { compression: "zstd", assets: [asset], timeouts: { run: 90, connect: 5, idle: 20 } }),
    );
    const r = await runCli(["run", "--config", cfg], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("zstd exited 1: zstd: simulated write error");
    expect(r.stderr).not.toContain("stalled");
    expect((await listKeys(s3, bucket)).filter((k) => k.includes(".tar"))).toEqual([]);
    expect(await incompleteUploads(s3, bucket)).toEqual([]);
    expect(uploadsOnDisk(bucket)).toEqual([]);
  });

  test("mysqldump killed mid-stream -> no object, no incomplete upload, exit 1 naming the database", async () => {
    const db = `big_${randomBytes(3).toString("hex")}`;
    const user = `bk_${randomBytes(3).toString("hex")}`;
    const password = randomBytes(12).toString("hex");
    // About 60 MB of incompressible rows, so the dump is still streaming when it is killed.
    sqlAsRoot(
      socket,
      `CREATE DATABASE ${db}; CREATE TABLE ${db}.t (id INT PRIMARY KEY AUTO_INCREMENT, v TEXT);
      INSERT INTO ${db}.t (v) SELECT RANDOM_BYTES(1024) FROM ${db}.seq_1_to_60000;
      CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}';
      GRANT SELECT, LOCK TABLES, SHOW VIEW, EVENT, TRIGGER ON *.* TO '${user}'@'localhost';`,
    );
    const bucket = await createBucket(s3);
    const cfg = writeConfig(
      jobConfig(s3, bucket, {
        compression: "gzip",
        mysql: { defaults_file: cnf([`user=${user}`, `password=${password}`, `socket=${socket}`]), databases: [db] },
      }),
    );
    let killed = false;
    const r = await runCli(["run", "--config", cfg], {
      onSpawn: (cliPid) => {
        const timer = setInterval(() => {
          // The dump itself, not the job's `mysqldump --help` probe of its options.
          const ps = spawnSync("ps", ["--ppid", String(cliPid), "-o", "pid=,args="], { encoding: "utf8" }).stdout;
          const line = ps.split("\n").find((l) => /\bmysqldump --defaults-file=/.test(l));
          if (line) {
            setTimeout(() => {
              process.kill(Number(line.trim().split(/\s+/)[0]), "SIGKILL");
              killed = true;
            }, 300);
            clearInterval(timer);
          }
        }, 20);
        setTimeout(() => clearInterval(timer), 30_000);
      },
    });
    expect(killed).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`FAILED ${db}`);
    expect(r.stderr).toContain("mysqldump killed by SIGKILL");
    expect((await listKeys(s3, bucket)).filter((k) => k.includes(db))).toEqual([]);
    expect(await incompleteUploads(s3, bucket)).toEqual([]);
    expect(uploadsOnDisk(bucket)).toEqual([]);
  });
});

describe("S3 errors", () => {
  test("a wrong secret key -> exit 1 with a readable message, a few requests, no retry storm", async () => {
    const bucket = await createBucket(s3);
    const target = new URL(s3.endpoint);
    let requests = 0;
    // A counting pass-through proxy; the Host header is kept, so signatures still verify.
    const proxy = createServer((req, res) => {
      requests++;
      const up = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as { port: number }).port;
    const assets = [0, 1, 2].map(() => tempDir("s3b-a-"));
    const secret = "wrong-secret-do-not-print-me";
    const cfg = writeConfig(
      jobConfig(s3, bucket, { assets }, { endpoint: `http://127.0.0.1:${port}`, secret_access_key: secret }),
    );
    const r = await runCli(["run", "--config", cfg]);
    proxy.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SignatureDoesNotMatch.*the secret access key is wrong/);
    expect(r.stderr).toMatch(/not attempted/);
    expect(r.stderr + r.stdout).not.toContain(secret);
    expect(requests).toBeLessThanOrEqual(4);
  });

  test("a bucket that does not exist -> exit 1 naming it", async () => {
    const cfg = writeConfig(jobConfig(s3, "no-such-bucket-here", { assets: [tempDir()] }));
    const r = await runCli(["run", "--config", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NoSuchBucket.*no-such-bucket-here/);
  });
});
