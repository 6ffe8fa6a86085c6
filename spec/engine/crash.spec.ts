// Converge killed mid-write. A converge of both backup resources is SIGKILLed just before each
// of its writes in turn (the Nth write the host announces to its observer), in four transitions:
// update (OLD to NEW: bucket, hour, retention, password and databases change), revert (NEW to
// OLD), remove, and create (bare host to OLD). After every kill each managed file and crontab is
// wholly as before or wholly as after, the lines of the crontabs that converge does not manage
// are intact, and the next converge repairs everything, reporting exactly what the killed run
// had not finished, and leaves no temporary file behind.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { s3Properties, secretsEnv } from "../support/backup-run-list.js";
import { sqlAsRoot } from "../support/mariadb.js";
import { createBucket } from "../support/s3-server.js";
import { Sandbox } from "../support/sandbox.js";

const s3 = inject("s3");
const { socket } = inject("mariadb");
const id = randomBytes(3).toString("hex");
const DBS = [`crash_${id}_a`, `crash_${id}_b`];
const DRIVER = join(PROJECT_ROOT, "spec/support/converge-driver.mjs");
const CONVERGE = `${process.execPath} ${join(PROJECT_ROOT, "bin/converge.js")}`;
// The MySQL account is server-wide: a name no other spec uses, so specs running at once cannot change it under this one.
const USERS = ["backup_site", "backup_crash"];
const HOMES = USERS.map((u) => `/var/lib/${u}`);
const FILES = [...HOMES.map((h) => `${h}/config.yml`), ...HOMES.map((h) => `${h}/s3-backup.sh`), `${HOMES[1]}/.my.cnf`];
/** In order, each starting where the one before ended; the last ends where the first starts. */
const TRANSITIONS = ["update", "revert", "remove", "create"] as const;
type Transition = (typeof TRANSITIONS)[number];
/**
 * How many writes each transition announces (a file write counts twice, its temporary file and
 * its rename, and so does a new directory); checked against the reference run.
 */
const WRITES: Record<Transition, number> = { update: 10, revert: 10, remove: 12, create: 21 };
/** Trials go round these cycles, so that each repair leaves the state the next trial starts from. */
const CYCLES: Transition[][] = [
  ["update", "revert"],
  ["remove", "create"],
];
/** Lines of the backup users' crontabs that converge does not manage: they must survive every kill. */
const FOREIGN = ["# written by hand", "MAILTO=ops@example.com", "17 3 * * * /bin/true hand-written"];

describe("converge killed mid-write", () => {
  let sb: Sandbox;
  let buckets: string[];
  const env = { ...secretsEnv(s3), DB_PASSWORD2: `New dump pa$$ ${id}` };
  const doc = (version: "old" | "new", action: "create" | "remove" = "create") => {
    const old = version === "old";
    const common = {
      s3: s3Properties(s3, buckets[old ? 0 : 1]),
      cron: { minute: "15", hour: old ? "2" : "3" },
      retention: { daily_days: old ? 7 : 9 },
    };
    return {
      run_list: [
        { type: "s3_file_backup", name: "site", action, properties: { assets: ["/srv/site"], ...common } },
        {
          type: "s3_mysql_backup",
          name: "crash",
          action,
          properties: {
            mysql: { password: { env: old ? "DB_PASSWORD" : "DB_PASSWORD2" }, admin: { socket } },
            databases: old ? DBS.slice(0, 1) : DBS,
            ...common,
          },
        },
      ],
    };
  };
  const target: Record<Transition, () => unknown> = {
    update: () => doc("new"),
    revert: () => doc("old"),
    remove: () => doc("old", "remove"),
    create: () => doc("old"),
  };

  beforeAll(async () => {
    sb = await Sandbox.create();
    buckets = await Promise.all([createBucket(s3, "crash-old"), createBucket(s3, "crash-new")]);
    await sb.letEveryoneReach(PROJECT_ROOT);
    // Sandboxes share one process table: userdel refuses a uid any process runs as, in any
    // sandbox. An account at uid 41000 makes this sandbox's new accounts take the uids after it,
    // which no other spec's accounts (from 1000 up) share.
    expect((await sb.sh("useradd -u 41000 -M -N -s /usr/sbin/nologin spec_uids")).exitCode).toBe(0);
    sqlAsRoot(socket, DBS.map((d) => `CREATE DATABASE ${d};`).join(" "));
    for (const t of TRANSITIONS) sb.runList(target[t](), `${t}.json`);
  });
  afterAll(async () => {
    sqlAsRoot(
      socket,
      `${DBS.map((d) => `DROP DATABASE IF EXISTS ${d};`).join(" ")} DROP USER IF EXISTS 'backup_crash'@'localhost'`,
    );
    await sb.destroy();
  });

  it(
    "leaves every file wholly old or new at 50+ kill points, and the next converge repairs all of it, reporting exactly what was left",
    { timeout: 900_000 },
    async () => {
      // Trials go round each cycle, kill point by kill point, so each repair leaves the state
      // the next trial starts from; the writes of each transition come from a reference run
      // (the driver's first step), known here from the count of an earlier run of the same.
      const setup = await sb.sh(
        `${CONVERGE} ${sb.runList(doc("old"), "setup.json")} > /dev/null
        for u in ${USERS.join(" ")}; do { printf '%s\\n' ${FOREIGN.map((l) => `'${l}'`).join(" ")}; crontab -u $u -l; } | crontab -u $u -; done`,
        env,
      );
      expect(setup.exitCode, setup.stderr).toBe(0);
      const trials: [Transition, number][] = [];
      for (const cycle of CYCLES) {
        const most = Math.max(...cycle.map((t) => WRITES[t]));
        for (let k = 1; k <= most; k++) for (const t of cycle) trials.push([t, k <= WRITES[t] ? k : 0]);
      }
      const points = trials.filter(([, k]) => k > 0).length;
      expect(points).toBeGreaterThanOrEqual(50);
      const plan = {
        runLists: Object.fromEntries(TRANSITIONS.map((t) => [t, join(sb.dir, `${t}.json`)])),
        files: FILES,
        homes: HOMES,
        users: USERS,
        foreign: FOREIGN,
        trials,
      };
      writeFileSync(join(sb.dir, "plan.json"), JSON.stringify(plan));
      const started = performance.now();
      const run = await sb.sh(`${process.execPath} ${DRIVER} crash ${sb.dir}/plan.json ${sb.dir}/crash.json`, env);
      const seconds = (performance.now() - started) / 1000;
      expect(run.exitCode, run.stderr).toBe(0);
      const out = JSON.parse(readFileSync(join(sb.dir, "crash.json"), "utf8")) as CrashRun;

      const stateAt = (t: Transition) => out.states[t];
      const from = (t: Transition) => stateAt(TRANSITIONS[(TRANSITIONS.indexOf(t) + 3) % 4]);
      // OLD is OLD, however it was reached; every transition changed what it should, and all of it.
      expect(stateAt("revert")).toEqual(out.states.setup);
      expect(stateAt("create")).toEqual(stateAt("revert"));
      for (const t of TRANSITIONS) {
        expect(out.reference[t].failed, t).toEqual([]);
        expect(out.reference[t].effects, t).toHaveLength(WRITES[t]);
      }
      const reference = (t: Transition) => out.reference[t].effects.map(comparable);

      let held = 0;
      for (const trial of out.trials) {
        const { transition: t, k } = trial;
        const name = `${t}:${k}`;
        expect(trial.failed, name).toEqual([]);
        expect(trial.repaired, `${name}: repaired`).toEqual(stateAt(t));
        expect(trial.leftovers, `${name}: leftovers`).toEqual([]);
        if (!k) continue;
        expect(trial.signal, name).toBe("SIGKILL");
        // Killed just before the Kth write of the reference run: the same writes came first.
        const effects = trial.progress!.filter((l) => l.startsWith("effect ")).map((l) => comparable(l.slice(7)));
        expect(effects, name).toEqual(reference(t).slice(0, k - 1));
        // Each managed file, directory, account and crontab wholly as before or as after.
        trial.after!.forEach((line, i) => expect([from(t)[i], stateAt(t)[i]], `${name}: ${line}`).toContain(line));
        // The repair reports exactly the resources the killed run had not finished.
        const done = trial.progress!.map((l) => /^done (.*) updated$/.exec(l)?.[1]).filter(Boolean);
        const left = out.reference[t].updated.filter((r) => !done.includes(r));
        expect(trial.updated, `${name}: ${effects.at(-1) ?? "(first write)"}`).toEqual(left);
        held++;
      }
      console.log(
        `converge killed mid-write: ${points} kill points (writes: ${TRANSITIONS.map((t) => `${t} ${WRITES[t]}`).join(", ")}), ${held} held, ${trials.length} repairs, in ${seconds.toFixed(0)} s`,
      );
    },
  );
});

/** What the crash driver writes (spec/support/converge-driver.mjs, crash mode). */
interface CrashRun {
  states: Record<Transition | "setup", string[]>;
  reference: Record<Transition, { effects: string[]; updated: string[]; failed: string[] }>;
  trials: {
    transition: Transition;
    k: number;
    signal?: string | null;
    progress?: string[];
    after?: string[];
    updated: string[];
    failed: string[];
    repaired: string[];
    leftovers: string[];
  }[];
}

/** A write with its temporary name made comparable across runs. */
const comparable = (effect: string) => effect.replace(/converge-[0-9a-f]{12}/g, "converge-X");
