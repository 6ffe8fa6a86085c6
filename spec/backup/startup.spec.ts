// What each s3-backup command loads before it exits: the loser of two runs started together, and
// the commands that never talk to S3, start without the AWS SDK or mysql2 (most of a start-up's
// cost); a run that goes ahead does load the SDK, which shows the trace sees it. Every module
// Node loads is recorded by spec/support/module-trace.mjs; a bundled file counts as holding the
// packages esbuild put in it (dist/bundle/packages.json).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBucket } from "../support/s3-server.js";
import { jobConfig, ROOT, runCli, tempDir, writeConfig, type CliResult } from "./helpers.js";

const s3 = inject("s3");
const TRACE_HOOK = join(ROOT, "spec/support/module-trace.mjs");
const HEAVY = ["@aws-sdk/client-s3", "@aws-sdk/lib-storage", "mysql2"];

/** The npm packages whose code a loaded file holds. */
function packagesIn(url: string, bundled: Record<string, string[]>): string[] {
  const path = url.startsWith("file:") ? fileURLToPath(url) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return [pkg[1]];
  return bundled[relative(ROOT, path)] ?? [];
}

/** Runs s3-backup with every loaded module traced; returns its result and the packages it loaded. */
async function traced(args: string[]): Promise<CliResult & { packages: Set<string> }> {
  const trace = join(tempDir("s3b-trace-"), "modules");
  const r = await runCli(args, { env: { NODE_OPTIONS: `--import ${TRACE_HOOK}`, MODULE_TRACE_FILE: trace } });
  const index = join(ROOT, "dist/bundle/packages.json");
  const bundled = existsSync(index) ? (JSON.parse(readFileSync(index, "utf8")) as Record<string, string[]>) : {};
  const urls = readFileSync(trace, "utf8").split("\n").filter(Boolean);
  expect(urls.length).toBeGreaterThan(0);
  return { ...r, packages: new Set(urls.flatMap((u) => packagesIn(u, bundled))) };
}

describe("what s3-backup loads before it exits", () => {
  let config: ReturnType<typeof jobConfig>;
  let cfg: string;
  let holder: ReturnType<typeof spawn> | undefined;
  beforeAll(async () => {
    const assets = tempDir("s3b-assets-");
    writeFileSync(join(assets, "a.txt"), "startup\n");
    config = jobConfig(s3, await createBucket(s3), { assets: [assets] });
    cfg = writeConfig(config);
  });
  afterAll(() => void holder?.kill());

  it("a run that finds its lock held: exits 1 naming the holder, without the AWS SDK or mysql2", async () => {
    // A shell holds the backup's lock as a running job would, its pid already in the file; it
    // becomes the sleep (exec), so killing it releases the lock.
    mkdirSync(config.state_dir, { recursive: true, mode: 0o700 });
    const lock = join(config.state_dir, `s3-backup-${config.name}.lock`);
    writeFileSync(lock, "4242\n");
    holder = spawn("sh", ["-c", 'exec 9>>"$0" && flock 9 && exec sleep 600', lock], { stdio: "ignore" });
    for (let i = 0; i < 100 && !(await lockHeld(lock)); i++) await new Promise((r) => setTimeout(r, 50));
    const r = await traced(["run", "--config", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`another run of backup "shop" is in progress (pid 4242`);
    expect([...r.packages].filter((p) => HEAVY.includes(p))).toEqual([]);
    holder.kill();
    await new Promise((resolve) => holder!.once("exit", resolve));
  });

  it("--help and policy: exit 0 without the AWS SDK or mysql2; --help without ajv", async () => {
    const help = await traced(["--help"]);
    expect(help.code).toBe(0);
    expect([...help.packages].filter((p) => [...HEAVY, "ajv"].includes(p))).toEqual([]);
    const policy = await traced(["policy", "--config", cfg]);
    expect(policy.code, policy.stderr).toBe(0);
    expect(JSON.parse(policy.stdout).Version).toBe("2012-10-17");
    expect([...policy.packages].filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it("a run that takes the lock loads the SDK and backs up (the trace sees it)", async () => {
    const r = await traced(["run", "--config", cfg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.packages).toContain("@aws-sdk/client-s3");
  });
});

/** Whether another process holds the lock: flock -n fails while it does. */
function lockHeld(path: string): Promise<boolean> {
  return new Promise((resolve) => spawn("flock", ["-n", path, "true"]).once("exit", (code) => resolve(code !== 0)));
}
