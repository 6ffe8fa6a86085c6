// How long `s3-backup` takes to start, against `node -e 0` in the same rounds: --help, a run that
// finds its lock held (the loser of a concurrent pair), and a run up to its first S3 request.
// Plain child processes outside the sandbox: nothing here touches the host beyond a temp dir.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { PROJECT_ROOT } from "../engine/paths.js";
import { ratio, secsRange, summarize, table, type Summary } from "./stats.js";

export interface StartupRow {
  label: string;
  seconds: Summary;
}

/** Seconds from spawning `argv` until it exits, or until `until` resolves (then it is killed). */
function timed(argv: string[], until?: Promise<void>): Promise<number> {
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1), { stdio: "ignore" });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    const done = () => resolve((performance.now() - t0) / 1000);
    if (until) until.then(() => (done(), child.kill("SIGKILL")));
    else child.on("exit", done);
  });
}

/** An endpoint that tells when the first request arrives and never answers it. */
async function firstRequestEndpoint() {
  let arrived: () => void = () => {};
  const server = createServer(() => arrived());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    next: () => new Promise<void>((resolve) => (arrived = resolve)),
    close: () => (server.closeAllConnections(), new Promise((resolve) => server.close(resolve))),
  };
}

/**
 * Medians over `rounds` interleaved rounds of every row. `baseline`, a built checkout of another
 * version (BENCH_BASELINE), gets the same rows in the same rounds, so a change is compared
 * under the same load.
 */
export async function measureStartup(rounds: number, baseline?: string): Promise<StartupRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-startup-"));
  const ep = await firstRequestEndpoint();
  const config = (name: string) => {
    const path = join(dir, `${name}.yml`);
    mkdirSync(join(dir, "assets"), { recursive: true });
    writeFileSync(join(dir, "assets", "a.txt"), "startup\n");
    const s3 = { bucket: "bench", region: "us-east-1", endpoint: ep.endpoint, force_path_style: true };
    const keys = { access_key_id: "BENCHSTARTUPKEYID01", secret_access_key: "bench-startup-secret-key-0001" };
    const doc = {
      name,
      host: "bench",
      state_dir: join(dir, "state"),
      compression: "zstd",
      assets: [join(dir, "assets")],
    };
    writeFileSync(path, stringify({ ...doc, s3: { ...s3, ...keys } }), { mode: 0o600 });
    return path;
  };
  const held = config("held");
  const fresh = config("fresh");
  // The lock of backup "held", taken for the whole measurement, its pid already written; the
  // shell becomes the sleep (exec), so killing it releases the lock.
  mkdirSync(join(dir, "state"), { recursive: true, mode: 0o700 });
  const lockFile = join(dir, "state", "s3-backup-held.lock");
  writeFileSync(lockFile, "1\n");
  const holder = spawn("sh", ["-c", 'exec 9>>"$0" && flock 9 && exec sleep 3600', lockFile], { stdio: "ignore" });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const node = process.execPath;
  const rowsOf = (root: string, tag: string): [string, () => Promise<number>][] => {
    const bin = join(root, "bin/s3-backup.js");
    return [
      [`\`s3-backup --help\`${tag}`, () => timed([node, bin, "--help"])],
      [`\`s3-backup run\`, lock held (exits 1)${tag}`, () => timed([node, bin, "run", "--config", held])],
      [
        `\`s3-backup run\` to its first S3 request${tag}`,
        () => timed([node, bin, "run", "--config", fresh], ep.next()),
      ],
    ];
  };
  const cases: [string, () => Promise<number>][] = [
    ["`node -e 0` (the floor)", () => timed([node, "-e", "0"])],
    ...rowsOf(PROJECT_ROOT, ""),
    ...(baseline ? rowsOf(baseline, `, baseline ${baseline}`) : []),
  ];
  const samples = cases.map(() => [] as number[]);
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [i, [, run]] of cases.entries()) samples[i].push(await run());
      rmSync(join(dir, "state", "s3-backup-fresh.lock"), { force: true });
    }
  } finally {
    holder.kill();
    await ep.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return cases.map(([label], i) => ({ label, seconds: summarize(samples[i]) }));
}

/** The start-up rows as a Markdown table, each as a ratio to the floor. */
export function startupTable(rows: StartupRow[]): string {
  const floor = rows[0].seconds.median;
  return table(
    ["command", "time", "/ floor"],
    rows.map((r) => [r.label, secsRange(r.seconds), ratio(r.seconds.median, floor)]),
  );
}
