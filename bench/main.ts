// `npm run bench`: every measurement of the speed issue in one run, on this machine: the converge
// table, the cron scale test and the backup throughput table. Prints the tables and writes them,
// with every sample, to bench/results/. Settings come from the environment (bench/README.md).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../engine/paths.js";
import { secretsEnv } from "../spec/support/backup-run-list.js";
import { startMariaDb, sqlAsRoot } from "../spec/support/mariadb.js";
import { backupThroughput } from "./backup/throughput.js";
import { firstConverge, measureNoops, type ConvergeCase, type Prepared } from "./converge.js";
import { cronScale } from "./cron-scale.js";
import { convergeTable, cronTable } from "./report-converge.js";
import { mysqlBackupsRunList, primitivesRunList, PRIMITIVE_KINDS, type Targets } from "./run-lists.js";
import { startEndpoint } from "./services.js";
import { measureStartup, startupTable } from "./startup.js";
import { load } from "./stats.js";

const env = process.env;
// Every Node this benchmark starts inherits its environment. NODE_EXTRA_CA_CERTS (set on this
// machine for its package proxy) makes each Node read and parse a CA bundle before anything else:
// 0.25-0.3 s here, which `node -e 0` paid too, and which a constant on both sides of a ratio
// shrinks. cron's environment has no such variable, and every endpoint here is plain HTTP on
// loopback, so it goes, and the settings record that it went.
const droppedCaCerts = env.NODE_EXTRA_CA_CERTS !== undefined;
delete env.NODE_EXTRA_CA_CERTS;
const num = (name: string, fallback: number) => Number(env[name] ?? fallback);
const nums = (name: string, fallback: string) => (env[name] ?? fallback).split(",").filter(Boolean).map(Number);

const settings = {
  parts: (env.BENCH_PARTS ?? "startup,cron,converge,backup").split(","),
  rounds: num("BENCH_ROUNDS", 7),
  sizes: nums("BENCH_SIZES", "10,100,1000"),
  backups: nums("BENCH_BACKUPS", "1,50"),
  cronSizes: nums("BENCH_CRON_SIZES", "50,1000,2000"),
  cronCapS: num("BENCH_CRON_CAP_S", 300),
  setupCapS: num("BENCH_SETUP_CAP_S", 900),
  mb: num("BENCH_MB", 600),
  backupRounds: num("BENCH_BACKUP_ROUNDS", 5),
  endpoints: (env.BENCH_ENDPOINTS ?? "s3rver,sink").split(","),
  variants: env.BENCH_VARIANTS?.split(","),
  dropped_NODE_EXTRA_CA_CERTS: droppedCaCerts,
};

/** Primitives one s3_mysql_backup with cron expands to (user, home, config, .my.cnf, account, script, access_check, cron). */
const PER_BACKUP = 8;

const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
const results: Record<string, unknown> = {
  started: new Date().toISOString(),
  machine: {
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? "?"}`,
    memory_gib: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
  },
  settings,
  load_at_start: load(),
};
const sections: string[] = [];
const section = (title: string, body: string) => {
  const text = `## ${title}\n\n${body}\n`;
  sections.push(text);
  console.log(`\n${text}`);
};

const db = await startMariaDb();
const s3 = await startEndpoint("s3rver", ["bench"]);
const prepared: Prepared[] = [];
try {
  sqlAsRoot(db.info.socket, "CREATE DATABASE bench_shop");
  const targets: Targets = { socket: db.info.socket, s3: s3.info, bucket: "bench" };
  const secrets = secretsEnv(s3.info);

  if (settings.parts.includes("startup")) {
    const loadBefore = load();
    console.error(`s3-backup start-up: ${settings.rounds} rounds (load ${loadBefore})`);
    const rows = await measureStartup(settings.rounds, env.BENCH_BASELINE);
    results.startup = { load: [loadBefore, load()], rows };
    section(
      `s3-backup start-up, medians of ${settings.rounds} interleaved rounds (load ${loadBefore} -> ${load()})`,
      startupTable(rows),
    );
  }

  if (settings.parts.includes("cron")) {
    console.error(`cron scale: ${settings.cronSizes.join(", ")} entries, cap ${settings.cronCapS} s (load ${load()})`);
    const loadBefore = load();
    const c = await cronScale(settings.cronSizes, settings.cronCapS, targets, secrets);
    prepared.push(...c.prepared);
    results.cron = { load: [loadBefore, load()], rows: c.rows };
    section(`First converge of N cron entries in one crontab (load ${loadBefore} -> ${load()})`, cronTable(c.rows));
  }

  if (settings.parts.includes("converge")) {
    const cases: ConvergeCase[] = [
      ...settings.backups.map((n) => ({
        label: `s3_mysql_backup x ${n}`,
        primitives: n * PER_BACKUP,
        doc: mysqlBackupsRunList(n, targets),
        env: secrets,
      })),
      ...PRIMITIVE_KINDS.flatMap((kind) =>
        settings.sizes.map((n) => ({
          label: `${kind} x ${n}`,
          primitives: n,
          doc: primitivesRunList(kind, n, targets),
          env: secrets,
        })),
      ),
    ];
    const ready: Prepared[] = [];
    for (const c of cases) {
      // The cron scale test already converged the same run-list: measure on its sandbox.
      const p = prepared.find((q) => q.c.label === c.label) ?? (await firstConverge(c, settings.setupCapS));
      if (!prepared.includes(p)) prepared.push(p);
      console.error(`  ${c.label}: first converge ${p.firstS.toFixed(1)} s${p.notReady ? ` (${p.notReady})` : ""}`);
      ready.push(p);
    }
    const loadBefore = load();
    console.error(`converge no-ops: ${settings.rounds} rounds over ${ready.length} run-lists (load ${loadBefore})`);
    const f = await measureNoops(ready, settings.rounds);
    results.converge = { load: [loadBefore, load()], ...f };
    section(
      `Converge, medians of ${f.rounds} interleaved rounds (min-max), in the sandbox (load ${loadBefore} -> ${load()})`,
      convergeTable(f),
    );
  }
  for (const p of prepared.splice(0)) await p.sb.destroy(); // the backup part needs the disk and the CPU

  if (settings.parts.includes("backup")) {
    const b = await backupThroughput({
      mb: settings.mb,
      rounds: settings.backupRounds,
      endpoints: settings.endpoints,
      variants: settings.variants,
      socket: db.info.socket,
    });
    results.backup = b.figures;
    for (const [title, body] of b.tables) section(title, body);
  }
} finally {
  for (const p of prepared) await p.sb.destroy();
  await Promise.all([db.stop(), s3.stop()]);
}

results.load_at_end = load();
const dir = env.BENCH_OUT ?? join(PROJECT_ROOT, "bench/results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(
  join(dir, `${stamp}.md`),
  `# bench ${results.started}\n\n${JSON.stringify(results.machine)}\n\n${sections.join("\n")}`,
);
console.log(`\nresults: ${join(dir, stamp)}.{json,md}`);
