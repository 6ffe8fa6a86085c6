// Runs the job's key can plant and the checksums cannot catch, since the attacker writes the
// manifest too: dumps holding the mysql client's own commands (`\!` runs a shell, `\T` writes a
// file) are refused by a sandboxed client, a client that cannot be sandboxed is never given a
// dump, and manifests that are not valid ones are skipped with a warning instead of crashing
// the search for the real run.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, test } from "vitest";
import { maskKeys, utcDay } from "../../backup/keys.js";
import { keySafeName } from "../../contract/names.js";
import type { Manifest } from "../../backup/manifest.js";
import { sqlAsRoot } from "../support/mariadb.js";
import { createBucket } from "../support/s3-server.js";
import { cnf, fakeBin, jobConfig, operatorEnv, plantRun, realRun, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");
const { socket } = inject("mariadb");
const today = () => utcDay(new Date());
const now = () => new Date().toISOString();

/** Two dumps vouched for by a correct manifest, dated today: the newest trusted run. */
async function plantClientCommands(bucket: string) {
  const dir = tempDir("s3b-pwn-");
  const [marker, teeFile] = [join(dir, "MARKER"), join(dir, "tee.out")];
  const id = randomBytes(3).toString("hex");
  const [shell, tee] = [`shell_${id}`, `tee_${id}`];
  const dump = (line: string) => Buffer.from(`CREATE TABLE t (x INT);\n${line}\nINSERT INTO t VALUES (1);\n`);
  const manifestKey = await plantRun(s3, bucket, {
    day: today(),
    finishedAt: now(),
    objects: [
      { name: shell, kind: "mysql", source: shell, body: dump(`\\! touch ${marker}`) },
      { name: tee, kind: "mysql", source: tee, body: dump(`\\T ${teeFile}`) },
    ],
  });
  return { marker, teeFile, shell, tee, manifestKey };
}

describe("a dump is read by a mysql client that refuses client commands", () => {
  test("restore and verify fail on a planted dump with \\! and \\T, create neither file, say why and drop what they made", async () => {
    const bucket = await createBucket(s3);
    const cfg = writeConfig(jobConfig(s3, bucket));
    const p = await plantClientCommands(bucket);
    const rootCnf = cnf(["user=root", `socket=${socket}`]);

    for (const name of [p.shell, p.tee]) {
      const target = `restored_${name}`;
      const r = await runCli(
        ["restore", "--config", cfg, "--name", name, "--into-database", target, "--mysql-defaults-file", rootCnf],
        { env: operatorEnv(s3) },
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(maskKeys(p.manifestKey));
      expect(r.stderr).toContain(`FAILED ${name}: mysql exited 1: ERROR at line 2: Not allowed in the sandbox mode`);
      expect(r.stderr).toContain("treat this backup as planted");
      expect(r.stderr).toContain(`nothing restored (database ${target} dropped again)`);
      expect(sqlAsRoot(socket, `SHOW DATABASES LIKE '${target}'`)).toEqual([]);
    }

    const drill = await runCli(["verify", "--config", cfg, "--mysql-defaults-file", rootCnf], { env: operatorEnv(s3) });
    expect(drill.code).toBe(1);
    expect(drill.stdout).toContain(`run s3://${bucket}/${maskKeys(p.manifestKey)}`);
    for (const name of [p.shell, p.tee]) expect(drill.stderr).toMatch(new RegExp(`FAILED ${name}: .*sandbox mode`));
    expect(drill.stdout).toContain("0/2 restored");
    expect(sqlAsRoot(socket, "SHOW DATABASES LIKE 's3b\\_verify%'")).toEqual([]);
    expect(existsSync(p.marker)).toBe(false);
    expect(existsSync(p.teeFile)).toBe(false);
  });

  test("verify --date drills that day's run instead of the newest", async () => {
    const { bucket, src, cfg, manifestKey: real } = await realRun(s3);
    const yesterday = utcDay(new Date(Date.now() - 86_400_000));
    // Keyed yesterday but received now: trusted (a run may finish the day after it started), and newest.
    const planted = await plantRun(s3, bucket, {
      day: yesterday,
      finishedAt: now(),
      objects: [{ name: "x", kind: "mysql", source: "x", body: Buffer.from("\\! true\n") }],
    });
    const drill = (...args: string[]) => runCli(["verify", "--config", cfg, ...args], { env: operatorEnv(s3) });
    expect((await drill()).stdout).toContain(maskKeys(planted));
    const dated = await drill("--date", today());
    expect(dated.stderr).toBe("");
    expect(dated.code).toBe(0);
    expect(dated.stdout).toContain(`run s3://${bucket}/${maskKeys(real)}`);
    expect(dated.stdout).toContain(`ok ${keySafeName(src)}: restored, sha256 verified, identical to live`);
    const none = await drill("--date", "2001-01-01");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no trusted run for host web1 on 2001-01-01");
  });

  test("a client with neither --sandbox nor --commands is never given a dump", async () => {
    const bucket = await createBucket(s3);
    const cfg = writeConfig(jobConfig(s3, bucket));
    const p = await plantClientCommands(bucket);
    const fed = join(tempDir(), "mysql-input");
    // An old client: its --help lists neither flag; whatever it is fed is recorded.
    const bin = fakeBin({
      mysql: `[ "$2" = --help ] && { echo "  --batch  Don't use history file."; exit 0; }\ncat >> ${fed}`,
    });
    const env = { ...operatorEnv(s3), PATH: `${bin}:${process.env.PATH}` };
    const r = await runCli(["restore", "--config", cfg, "--name", p.shell, "--into-database", "x"], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the installed mysql client supports neither --sandbox");
    expect(r.stderr).toContain("nothing restored");
    const drill = await runCli(["verify", "--config", cfg], { env });
    expect(drill.code).toBe(1);
    expect(drill.stderr).toContain(`FAILED ${p.shell}: the installed mysql client supports neither --sandbox`);
    expect(existsSync(fed) ? readFileSync(fed, "utf8") : "").not.toContain("\\!");
    expect(existsSync(p.marker)).toBe(false);
  });
});

describe("a manifest that is not a valid one is skipped as untrusted", () => {
  test("restore and verify skip malformed manifests planted with the job's key, naming each, and use the real run", async () => {
    const { bucket, src, cfg, manifestKey: real } = await realRun(s3);

    const entry = (m: Manifest, change: Record<string, unknown>) => ({
      ...m,
      objects: [{ ...m.objects[0], ...change }],
    });
    const bad: [(m: Manifest) => unknown, string][] = [
      [(m) => ({ ...m, objects: [null] }), "/objects/0: must be object"],
      [(m) => entry(m, { sha256: 5 }), "/objects/0/sha256: must be string"],
      [(m) => entry(m, { bytes: "x" }), "/objects/0/bytes: must be integer"],
      [(m) => entry(m, { compression: "rar" }), '/objects/0/compression: must be one of "zstd", "gzip", "none"'],
      [(m) => entry(m, { key: undefined }), '/objects/0: missing required property "key"'],
      [(m) => ({ ...m, objects: "all" }), "/objects: must be array"],
      [(m) => ({ ...m, finished_at: 7 }), "/finished_at: must be string"],
      [() => null, "/: must be object"],
      [() => "{not json", "JSON"],
    ];
    const planted: string[] = [];
    for (const [mangle] of bad) {
      planted.push(
        await plantRun(s3, bucket, {
          day: today(),
          finishedAt: now(),
          mangle,
          objects: [{ name: keySafeName(src), kind: "files", source: src, body: Buffer.from("not a tar") }],
        }),
      );
    }

    const to = join(tempDir("s3b-restore-"), "t");
    const r = await runCli(["restore", "--config", cfg, "--name", src, "--to", to], { env: operatorEnv(s3) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`using run s3://${bucket}/${maskKeys(real)}`);
    bad.forEach(([, why], i) =>
      expect(r.stderr).toMatch(
        new RegExp(`skipping suspect manifest s3://${bucket}/${maskKeys(planted[i])}: .*${escape(why)}`),
      ),
    );
    expect(existsSync(join(to, src, "index.html"))).toBe(true);

    const drill = await runCli(["verify", "--config", cfg], { env: operatorEnv(s3) });
    expect(drill.code).toBe(0);
    expect(drill.stdout).toContain(`run s3://${bucket}/${maskKeys(real)}`);
    for (const key of planted)
      expect(drill.stderr).toContain(`skipping suspect manifest s3://${bucket}/${maskKeys(key)}`);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
