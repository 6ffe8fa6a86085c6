// What a run leaves for its watchers, on the job's side: check-in pings to a local HTTP server
// that records them, and the textfile metrics, which Debian's promtool must accept. The same
// signals through converge, node_exporter and a sandboxed backup user are in
// spec/resources/backup_monitoring.spec.ts.
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { sendPing } from "../../backup/healthcheck.js";
import { createBucket } from "../support/s3-server.js";
import { fakeBin, jobConfig, runCli, tempDir, writeConfig } from "./helpers.js";

const s3 = inject("s3");

/** A check-in service on loopback: records each request's method, path and body. */
async function pingServer(answer: (path: string) => number | "silent" = () => 200) {
  const seen: { method: string; path: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method!, path: req.url!, body });
      const a = answer(req.url!);
      if (a === "silent") return; // holds the connection open, answering nothing
      res.statusCode = a;
      res.end("OK");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    seen,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A tar that fails on any path ending in "broken", and the real tar otherwise. */
const brokenTar = () =>
  fakeBin({
    tar: `for a; do last="$a"; done
case "$last" in *broken) echo "tar: simulated read error" >&2; exit 2;; esac
exec /usr/bin/tar "$@"`,
  });

describe("check-in pings", () => {
  let hc: Awaited<ReturnType<typeof pingServer>>;
  beforeAll(async () => {
    hc = await pingServer();
  });
  afterAll(() => hc.close());

  test("a good run pings start then success; a failed one start then fail with the summary; the URL appears nowhere", async () => {
    const bucket = await createBucket(s3);
    const token = "b1c2d3e4-0000-4000-8000-5ec7e75ec7e7";
    const src = tempDir("s3b-hc-src-");
    writeFileSync(join(src, "a.txt"), "a\n");
    const broken = join(tempDir("s3b-hc-"), "broken");
    const good = writeConfig(jobConfig(s3, bucket, { assets: [src], healthcheck: hc.url(`/ping/${token}`) }));
    const bad = writeConfig(
      jobConfig(s3, bucket, { name: "bad", assets: [src, broken], healthcheck: hc.url(`/ping/${token}?x=1`) }),
    );
    const ok = await runCli(["run", "--config", good]);
    expect(ok.code, ok.stderr).toBe(0);
    const failed = await runCli(["run", "--config", bad], { env: { PATH: `${brokenTar()}:${process.env.PATH}` } });
    expect(failed.code).toBe(1);

    expect(hc.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      `POST /ping/${token}/start`,
      `POST /ping/${token}`,
      `POST /ping/${token}/start?x=1`,
      `POST /ping/${token}/fail?x=1`,
    ]);
    const fail = hc.seen[3].body;
    expect(fail).toMatch(
      /^s3-backup bad: FAILED \(\w+\): 1\/2 objects backed up in [\d.]+ s; failed: \S*broken: tar exited 2/,
    );
    // Pings carry no key's random part either: the success body names the manifest masked.
    expect(hc.seen[1].body).toMatch(/manifest s3:\/\/\S+\/shop--…\S{4}\.manifest\.json$/);
    for (const r of [ok, failed]) expect(r.stdout + r.stderr).not.toContain(token);
  });

  test("an unreachable check-in URL leaves the result as it was, with a warning that does not name it", async () => {
    const bucket = await createBucket(s3);
    const src = tempDir("s3b-hc-src-");
    writeFileSync(join(src, "a.txt"), "a\n");
    const dead = await pingServer();
    const url = dead.url("/ping/dead-0000-secret");
    await dead.close(); // nothing listens there any more
    const cfg = writeConfig(jobConfig(s3, bucket, { assets: [src], healthcheck: url }));
    const r = await runCli(["run", "--config", cfg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      "s3-backup shop: warning: healthcheck start ping not delivered: ECONNREFUSED after 3 attempt(s)",
    );
    expect(r.stderr).toContain("s3-backup shop: warning: healthcheck success ping not delivered: ECONNREFUSED");
    expect(r.stdout).toContain("s3-backup shop: 1/1 objects backed up");
    expect(r.stdout + r.stderr).not.toContain("dead-0000-secret");
  });

  test("a silent endpoint costs at most the timeout per attempt; a 4xx answer is not retried", async () => {
    const silent = await pingServer((p) => (p.includes("silent") ? "silent" : 404));
    const opts = { timeoutMs: 300, retries: 1, backoffMs: 50 };
    const t0 = Date.now();
    expect(await sendPing(silent.url("/silent"), "start", "", opts)).toBe("no answer within 0.3 s after 2 attempt(s)");
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await sendPing(silent.url("/gone"), "fail", "x", opts)).toBe("HTTP 404 after 2 attempt(s)");
    expect(silent.seen.filter((s) => s.path === "/gone/fail")).toHaveLength(1);
    await silent.close();
  });
});

describe("textfile metrics", () => {
  /** The sample lines of one metric, e.g. { '{backup="shop",host="web1"}': 1 }. */
  const samples = (text: string, metric: string) =>
    Object.fromEntries(
      text
        .split("\n")
        .filter((l) => l.startsWith(`${metric}{`))
        .map((l) => [l.slice(metric.length, l.lastIndexOf(" ")), Number(l.slice(l.lastIndexOf(" ") + 1))]),
    );

  test("every run replaces s3_backup_NAME.prom (0644, promtool-clean); a failure keeps the last success time", async () => {
    const bucket = await createBucket(s3);
    const dir = tempDir("s3b-textfile-");
    const src = tempDir("s3b-m-src-");
    writeFileSync(join(src, "a.txt"), "a".repeat(1000));
    const broken = join(tempDir("s3b-m-"), "broken");
    const base = jobConfig(s3, bucket, { assets: [src, broken], metrics: { textfile_dir: dir }, compression: "none" });
    const file = join(dir, "s3_backup_shop.prom");
    const srcItem = src.slice(1).replace(/[^A-Za-z0-9._-]+/g, "_");

    const first = await runCli(["run", "--config", writeConfig({ ...base, assets: [src] })]);
    expect(first.code, first.stderr).toBe(0);
    const good = readFileSync(file, "utf8");
    expect(statSync(file).mode & 0o777).toBe(0o644);
    const lint = spawnSync("promtool", ["check", "metrics"], { input: good, encoding: "utf8" });
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    const id = '{backup="shop",host="web1"}';
    expect(samples(good, "s3_backup_last_run_success")).toEqual({ [id]: 1 });
    expect(samples(good, "s3_backup_last_run_objects")).toEqual({ [id]: 1 });
    expect(samples(good, "s3_backup_item_success")).toEqual({
      [`{backup="shop",host="web1",item="${srcItem}",kind="files"}`]: 1,
    });
    expect(samples(good, "s3_backup_last_run_uploaded_bytes")[id]).toBeGreaterThan(1000);
    const succeeded = samples(good, "s3_backup_last_success_timestamp_seconds")[id];
    expect(succeeded).toBe(samples(good, "s3_backup_last_run_end_timestamp_seconds")[id]);
    expect(Math.abs(succeeded - Date.now() / 1000)).toBeLessThan(120);

    const second = await runCli(["run", "--config", writeConfig(base)], {
      env: { PATH: `${brokenTar()}:${process.env.PATH}` },
    });
    expect(second.code).toBe(1);
    const bad = readFileSync(file, "utf8");
    expect(spawnSync("promtool", ["check", "metrics"], { input: bad }).status).toBe(0);
    expect(samples(bad, "s3_backup_last_run_success")).toEqual({ [id]: 0 });
    expect(samples(bad, "s3_backup_last_success_timestamp_seconds")).toEqual({ [id]: succeeded });
    expect(samples(bad, "s3_backup_last_run_end_timestamp_seconds")[id]).toBeGreaterThan(succeeded);
    expect(samples(bad, "s3_backup_item_success")).toEqual({
      [`{backup="shop",host="web1",item="${srcItem}",kind="files"}`]: 1,
      [`{backup="shop",host="web1",item="${broken.slice(1).replace(/[^A-Za-z0-9._-]+/g, "_")}",kind="files"}`]: 0,
    });
    // No temporary file left beside it, and nothing of a key in it.
    expect(spawnSync("ls", ["-A", dir], { encoding: "utf8" }).stdout).toBe("s3_backup_shop.prom\n");
    expect(bad).not.toMatch(/--[A-Za-z0-9_-]{8}/);
  });

  test("a metrics directory that cannot be written is a warning; the run's result stands", async () => {
    const bucket = await createBucket(s3);
    const src = tempDir("s3b-m-src-");
    writeFileSync(join(src, "a.txt"), "a\n");
    const missing = join(tempDir("s3b-textfile-"), "nope");
    const r = await runCli([
      "run",
      "--config",
      writeConfig(jobConfig(s3, bucket, { assets: [src], metrics: { textfile_dir: missing } })),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`s3-backup shop: warning: cannot write metrics ${missing}/s3_backup_shop.prom: ENOENT`);
  });
});
