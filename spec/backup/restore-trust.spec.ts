// What restore trusts. The job's key can PUT any key, so a compromised host can plant a manifest
// and the objects it vouches for: a future-dated run is skipped (its key's day disagrees with the
// LastModified S3 set), a dump that does not match its manifest never reaches mysql, and another
// backup's manifests (shop--x) are not taken for shop's.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, test } from "vitest";
import { maskKeys, utcDay } from "../../backup/keys.js";
import { keySafeName } from "../../contract/names.js";
import { sqlAsRoot } from "../support/mariadb.js";
import { createBucket } from "../support/s3-server.js";
import { cnf, jobConfig, operatorEnv, plantRun, realRun, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");
const { socket } = inject("mariadb");

/** A tar archive as the job makes them (./PATH/...), holding `file` under `src`. */
function archive(src: string, file: string, content: string): Buffer {
  const root = tempDir("s3b-plant-");
  mkdirSync(join(root, src), { recursive: true });
  writeFileSync(join(root, src, file), content);
  return spawnSync("tar", ["-c", "-C", root, "."], { maxBuffer: 1 << 26 }).stdout;
}

const restore = (cfg: string, ...args: string[]) =>
  runCli(["restore", "--config", cfg, ...args], { env: operatorEnv(s3) });
const now = () => new Date().toISOString();

describe("restore picks only trusted runs", () => {
  test("a run planted under 2099-01-01 (newest by LastModified) is skipped, naming it; restore and verify use the real one", async () => {
    const { bucket, src, cfg, manifestKey } = await realRun(s3);
    const planted = await plantRun(s3, bucket, {
      day: "2099-01-01",
      finishedAt: "2099-01-01T02:00:00.000Z",
      objects: [{ name: keySafeName(src), kind: "files", source: src, body: archive(src, "pwned.html", "x") }],
    });

    const to = join(tempDir("s3b-restore-"), "t");
    const r = await restore(cfg, "--name", src, "--to", to);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `skipping suspect manifest s3://${bucket}/${maskKeys(planted)}: its key is dated 2099-01-01 but S3 received it`,
    );
    expect(r.stdout).toContain(`using run s3://${bucket}/${maskKeys(manifestKey)}, received by S3 at`);
    expect(r.stdout).toContain("--date YYYY-MM-DD");
    expect(readdirSync(join(to, src))).toEqual(["index.html"]);

    const byDate = await restore(cfg, "--name", src, "--date", "2099-01-01", "--to", join(tempDir(), "t"));
    expect(byDate.code).toBe(1);
    expect(byDate.stderr).toContain(`skipping suspect manifest s3://${bucket}/${maskKeys(planted)}`);
    expect(byDate.stderr).toContain(`no completed backup of "${src}" in backup "shop" from host web1 on 2099-01-01`);

    const drill = await runCli(["verify", "--config", cfg], { env: operatorEnv(s3) });
    expect(drill.code).toBe(0);
    expect(drill.stdout).toContain(`run s3://${bucket}/${maskKeys(manifestKey)}`);
    expect(drill.stderr).toContain(`skipping suspect manifest s3://${bucket}/${maskKeys(planted)}`);
  });

  test("a dump whose SHA-256 does not match its manifest is never fed to mysql", async () => {
    const bucket = await createBucket(s3);
    const cfg = writeConfig(jobConfig(s3, bucket, { assets: ["/etc/hostname"] }));
    const id = randomBytes(3).toString("hex");
    const [db, target, canary] = [`shop_${id}`, `restored_${id}`, `canary_${id}`];
    // Dated today and finished now: consistent with LastModified, so it is the newest trusted run.
    const planted = await plantRun(s3, bucket, {
      day: utcDay(new Date()),
      finishedAt: now(),
      objects: [
        {
          name: db,
          kind: "mysql",
          source: db,
          sha256: "0".repeat(64),
          body: Buffer.from(`CREATE TABLE pwned (x INT); INSERT INTO pwned VALUES (1); CREATE DATABASE ${canary};\n`),
        },
      ],
    });
    const r = await restore(
      cfg,
      "--name",
      db,
      "--into-database",
      target,
      "--mysql-defaults-file",
      cnf(["user=root", `socket=${socket}`]),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(maskKeys(planted));
    expect(r.stderr).toMatch(/does not match its manifest.*nothing restored/);
    expect(sqlAsRoot(socket, `SHOW DATABASES LIKE '${target}'`)).toEqual([]);
    expect(sqlAsRoot(socket, `SHOW DATABASES LIKE '${canary}'`)).toEqual([]);
  });

  test("an archive that does not match its manifest leaves no target directory, or an existing one empty", async () => {
    const { bucket, src, cfg } = await realRun(s3);
    await plantRun(s3, bucket, {
      day: utcDay(new Date()),
      finishedAt: now(),
      objects: [
        {
          name: keySafeName(src),
          kind: "files",
          source: src,
          sha256: "0".repeat(64),
          body: archive(src, "pwned.html", "x"),
        },
      ],
    });
    const to = join(tempDir("s3b-restore-"), "t");
    const r = await restore(cfg, "--name", keySafeName(src), "--to", to);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not match its manifest.*nothing restored/);
    expect(existsSync(to)).toBe(false);
    const existing = tempDir("s3b-restore-");
    expect((await restore(cfg, "--name", keySafeName(src), "--to", existing)).code).toBe(1);
    expect(readdirSync(existing)).toEqual([]);
  });

  test('backup "shop" does not read the manifests of "shop--x" (made before "--" was refused), and "shop--x" is now refused', async () => {
    const { bucket, src, cfg, manifestKey } = await realRun(s3);
    await plantRun(s3, bucket, {
      day: utcDay(new Date()),
      finishedAt: now(),
      backup: "shop--x",
      objects: [{ name: keySafeName(src), kind: "files", source: src, body: archive(src, "other.html", "x") }],
    });
    const to = join(tempDir("s3b-restore-"), "t");
    const r = await restore(cfg, "--name", src, "--to", to);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(maskKeys(manifestKey));
    expect(readdirSync(join(to, src))).toEqual(["index.html"]);

    const refused = await runCli([
      "run",
      "--config",
      writeConfig(jobConfig(s3, bucket, { name: "shop--x", assets: [src] })),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/\/name: must be a backup name: .*without "--"/);
  });
});

describe("restoring on a replacement machine", () => {
  test("--host reads another host's runs, from a config without the job's keys; policy works with it and run refuses it naming the fields", async () => {
    const { bucket, src } = await realRun(s3);
    const { access_key_id: _a, secret_access_key: _s, ...s3NoKeys } = jobConfig(s3, bucket).s3;
    // Written by hand on the new machine: no job keys, no assets.
    const operatorCfg = writeConfig({ ...jobConfig(s3, bucket, { host: "web2" }), s3: s3NoKeys });

    const miss = await restore(operatorCfg, "--name", src, "--to", join(tempDir(), "t"));
    expect(miss.code).toBe(1);
    expect(miss.stderr).toContain(`no completed backup of "${src}" in backup "shop" from host web2`);
    expect(miss.stderr).toContain("runs from host(s): web1 (choose one with --host HOST)");

    const to = join(tempDir("s3b-restore-"), "t");
    const r = await restore(operatorCfg, "--host", "web1", "--name", src, "--to", to);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(to, src, "index.html"), "utf8")).toBe("real\n");

    expect((await runCli(["policy", "--config", operatorCfg])).code).toBe(0);
    const run = await runCli(["run", "--config", operatorCfg]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("/s3/access_key_id: is required by run");
    expect(run.stderr).toContain("/assets: nothing to back up");
    expect(run.stderr).not.toContain("usage:");
  });

  test("--name takes the key name or the source path; a miss lists the names, sources and days there are", async () => {
    const { src, cfg } = await realRun(s3);
    for (const name of [keySafeName(src), src]) {
      const r = await restore(cfg, "--name", name, "--to", join(tempDir("s3b-restore-"), "t"));
      expect(r.code).toBe(0);
    }
    const miss = await restore(cfg, "--name", "/var/www/nope", "--to", join(tempDir(), "t"));
    expect(miss.code).toBe(1);
    expect(miss.stderr).toContain("available (--name takes either form):");
    expect(miss.stderr).toContain(`    ${keySafeName(src)} (${src}): ${utcDay(new Date())}`);
  });
});
