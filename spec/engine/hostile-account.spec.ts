// A hostile service account during converge. The backup user of an s3_mysql_backup owns its
// home, holds the S3 key and talks to the network: if it is compromised, the next converge (as
// root) must not become its tool. Each attack is run for real in a sandbox, as that user, against
// root's files (/etc/passwd, /etc/shadow, a root-only secret, a root:www-data 0660 file the user
// may write through its group), and what must hold is checked on those files and in the output.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { s3Properties, secretsEnv } from "../support/backup-run-list.js";
import { sqlAsRoot } from "../support/mariadb.js";
import { expectConverged } from "../support/run-lists.js";
import { createBucket } from "../support/s3-server.js";
import { Sandbox } from "../support/sandbox.js";

const s3 = inject("s3");
const { socket } = inject("mariadb");
const id = randomBytes(3).toString("hex");
const db = `hostile_${id}`;
// The MySQL account is server-wide: a name no other spec uses, so specs running at once cannot change it under this one.
const USER = "backup_hostile";
const HOME = `/var/lib/${USER}`;
const NAMES = ["config.yml", ".my.cnf", "s3-backup.sh"];
const SECRET = `ROOT-ONLY-${randomBytes(8).toString("hex")}`;
const MARKER = `WWW-DATA-ONLY-${randomBytes(8).toString("hex")}`;
/** Root's files the account attacks; none may change, none may be printed. */
const VICTIMS = ["/etc/passwd", "/etc/shadow", "/root/secret", "/var/www/victim-config", "/var/www/victim-marker"];
const DRIVER = join(PROJECT_ROOT, "spec/support/converge-driver.mjs");
const FLIPPER = join(PROJECT_ROOT, "spec/support/flipper.mjs");

describe("a hostile backup account during converge", () => {
  let sb: Sandbox;
  let bucket: string;
  const env = secretsEnv(s3);
  const runList = (retention = 7) => ({
    run_list: [
      {
        type: "s3_mysql_backup",
        name: "hostile",
        properties: {
          mysql: { password: { env: "DB_PASSWORD" }, admin: { socket } },
          databases: [db],
          s3: s3Properties(s3, bucket),
          // So it can write (and hard-link) the root:www-data 0660 file.
          groups: ["www-data"],
          cron: { minute: "45", hour: "2" },
          retention: { daily_days: retention },
        },
      },
    ],
  });
  const sh = async (script: string) => {
    const r = await sb.sh(script, env);
    expect(r.exitCode, `${script}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const asUser = (script: string) => sh(`runuser -u ${USER} -- sh -c '${script}'`);
  /** Owner, mode and content hash of root's files (their link count is the account's to change). */
  const victims = () => sh(`stat -c '%n %U:%G %a' ${VICTIMS.join(" ")}; sha256sum ${VICTIMS.join(" ")}`);
  /** Every line of root's files, which no output may contain. */
  const foreignLines = async () =>
    (await sh(`cat /etc/passwd /etc/shadow /root/secret /var/www/victim-marker`))
      .split("\n")
      .filter((l) => l.length >= 8);
  const expectNoForeignBytes = async (output: string) => {
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain(MARKER);
    for (const line of await foreignLines()) expect(output).not.toContain(line);
  };
  /** Everything in the sandbox outside the backup home: what converge must never change for the account. */
  const outsideHome = async () =>
    new Map([...(await sb.snapshot())].filter(([path]) => path !== HOME && !path.startsWith(`${HOME}/`)));

  beforeAll(async () => {
    sb = await Sandbox.create();
    bucket = await createBucket(s3, "hostile");
    await sb.letEveryoneReach(PROJECT_ROOT);
    // Sandboxes share one process table: userdel refuses a uid any process runs as, in any
    // sandbox. An account at uid 42000 makes this sandbox's new accounts take the uids after it,
    // which no other spec's accounts (from 1000 up) share.
    expect((await sb.sh("useradd -u 42000 -M -N -s /usr/sbin/nologin spec_uids")).exitCode).toBe(0);
    sqlAsRoot(socket, `CREATE DATABASE ${db}`);
    expectConverged(await sb.converge(runList(), [], env), 7);
    // The account wrote config.yml's exact content into the 0660 file it may write (the attack).
    await sh(`umask 077; printf '%s\\n' '${SECRET}' > /root/secret
      mkdir -m 0755 -p /var/www && cp ${HOME}/config.yml /var/www/victim-config && printf '%s\\n' '${MARKER}' > /var/www/victim-marker
      chown root:www-data /var/www/victim-* && chmod 0660 /var/www/victim-*`);
  });
  afterAll(async () => {
    sqlAsRoot(socket, `DROP DATABASE IF EXISTS ${db}; DROP USER IF EXISTS '${USER}'@'localhost'`);
    await sb.destroy();
  });

  it("a hard link to a root:www-data file holding config.yml's exact content is replaced, never chowned", async () => {
    const before = await victims();
    await asUser(`ln -f /var/www/victim-config ${HOME}/config.yml`);
    const audit = await sb.converge(runList(), ["--why-run"], env);
    expect(audit.exitCode, audit.stderr).toBe(3);
    const replaced = `replace ${HOME}/config.yml (a file with 2 names (hard links)) with a file of its own`;
    expect(audit.stdout).toContain(`Would ${replaced}`);
    const out = expectConverged(await sb.converge(runList(), [], env), 1);
    expect(out).toContain(replaced);
    expect(out).not.toContain("change owner");
    expect(await victims()).toBe(before);
    expect(await sh(`stat -c '%U:%G %a %h' ${HOME}/config.yml`)).toBe(`${USER}:${USER} 600 1`);
  });

  it("config.yml swapped for a link to /etc/passwd just before converge fixes its mode: /etc/passwd keeps its own", async () => {
    const before = await victims();
    await asUser(`chmod 0644 ${HOME}/config.yml`);
    const swap = `ln -sf /etc/passwd ${HOME}/config.yml`;
    const r = await sh(`${process.execPath} ${DRIVER} race config.yml ${USER} '${swap}' ${sb.runList(runList())}`);
    expect(r).toContain(`template_file[${HOME}/config.yml] action create`);
    expect(await victims()).toBe(before);
    expect(await sh(`stat -c '%F %U %a' ${HOME}/config.yml`)).toBe(`regular file ${USER} 600`);
  });

  it(
    "the script flipped between its own file and a link to a root-only file never puts that file in the output (40 converges)",
    { timeout: 300_000 },
    async () => {
      expectConverged(await sb.converge(runList(), [], env), 0);
      const started = performance.now();
      const r = await sb.sh(flipping(["s3-backup.sh"], ["/root/secret"], 40, "tampered,symlink"), env);
      expect(r.exitCode, r.stderr).toBe(0);
      console.log(
        `read race: 40 converges in ${((performance.now() - started) / 1000).toFixed(0)} s against ${flips()}`,
      );
      const exits = r.stdout.match(/^=== exit \d+$/gm) ?? [];
      expect(exits).toHaveLength(40);
      // The attack really ran: the script was tampered with and swapped for the link, again and again.
      const did = JSON.parse(flips()) as Record<string, number>;
      expect(did.tampered, flips()).toBeGreaterThan(0);
      expect(did.symlinks, flips()).toBeGreaterThan(0);
      await expectNoForeignBytes(r.stdout + r.stderr);
    },
  );

  it("a write killed mid-way leaves a temporary file, which the next converge removes, saying so at debug level, without following links", async () => {
    await reset();
    const progress = join(sb.dir, "progress");
    const kill = `${process.execPath} ${DRIVER} kill 'rename ${HOME}/.config.yml' ${progress} ${sb.runList(runList(8))}`;
    expect(await sh(`${kill} || echo "exit $?"`)).toBe("exit 137");
    const [left] = (await sh(`ls -A ${HOME} | grep '^.config.yml.converge-'`)).split("\n");
    expect(await sh(`stat -c '%U %a' ${HOME}/${left}`)).toBe(`${USER} 600`);
    // The account plants a link named like a leftover: removing it must not follow it.
    const bait = `.config.yml.converge-${"a".repeat(12)}`;
    await asUser(`ln -s /etc/shadow ${HOME}/${bait}`);
    const before = await victims();
    const r = await sb.converge(runList(8), ["--log-level", "debug"], env);
    expectConverged(r, 1);
    expect(r.stderr).toContain(`converge: debug: remove ${HOME}/${left} (left by an interrupted write)`);
    expect(r.stderr).toContain(`converge: debug: remove ${HOME}/${bait} (left by an interrupted write)`);
    expect(await sh(`ls -A ${HOME} | grep converge- || true`)).toBe("");
    expect(await victims()).toBe(before);
  });

  it(
    "an account swapping config.yml, .my.cnf and the script between files, links and hard links during 100 converges changes nothing outside its home and leaks nothing",
    { timeout: 900_000 },
    async () => {
      await reset();
      const before = await outsideHome();
      const victimsBefore = await victims();
      const started = performance.now();
      const r = await sb.sh(flipping(NAMES, VICTIMS, 100), env);
      const seconds = (performance.now() - started) / 1000;
      expect(r.exitCode, r.stderr).toBe(0);
      const exits = (r.stdout.match(/^=== exit \d+$/gm) ?? []).map((l) => Number(l.slice(9)));
      expect(exits).toHaveLength(100);
      // The attack really ran: every kind of swap happened, not only attempts that failed.
      const did = JSON.parse(flips()) as Record<string, number>;
      for (const kind of ["tampered", "symlinks", "hardlinks"]) expect(did[kind], flips()).toBeGreaterThan(0);
      // A converge may refuse what the account did (exit 1, naming it), never crash on it.
      expect(exits.filter((c) => c !== 0 && c !== 1)).toEqual([]);
      expect(await victims()).toBe(victimsBefore);
      expect(await outsideHome()).toEqual(before);
      await expectNoForeignBytes(r.stdout + r.stderr);
      console.log(
        `hostile account: ${exits.length} converges (${exits.filter((c) => c === 0).length} exit 0, ${exits.filter((c) => c === 1).length} exit 1) in ${seconds.toFixed(0)} s against ${flips()}; refusals: ${JSON.stringify(refusals(r.stdout))}`,
      );
      // Once the account stops, converge puts everything back.
      await reset();
      expectConverged(await sb.converge(runList(), [], env), 0);
    },
  );

  /** How often each reason a resource failed was given (the "! " lines, temporary names made alike). */
  const refusals = (output: string) => {
    const counts: Record<string, number> = {};
    for (const m of output.matchAll(/^\s*! (.*)$/gm)) {
      const reason = m[1].replace(/converge-[0-9a-f]{12}/g, "converge-X").replace(/flip-\d+/g, "flip-N");
      counts[reason] = (counts[reason] ?? 0) + 1;
    }
    return counts;
  };

  /** Converges to the run-list, whatever an earlier test left. */
  const reset = async () => {
    const r = await sb.converge(runList(), [], env);
    expect(r.exitCode, r.stdout).toBe(0);
  };
  const flips = () => readFileSync(join(sb.dir, "flips.json"), "utf8").trim();

  /** A script that runs the flipper as the account over `names`, converges `rounds` times in one process, then stops it. */
  function flipping(names: string[], targets: string[], rounds: number, only = ""): string {
    const stop = join(sb.dir, "stop");
    return `rm -f ${stop}
      FLIP_ONLY=${only} runuser -u ${USER} -- ${process.execPath} ${FLIPPER} ${HOME} ${stop} ${names.join(" ")} -- ${targets.join(" ")} > ${sb.dir}/flips.json &
      flipper=$!
      sleep 1
      ${process.execPath} ${DRIVER} loop ${rounds} ${sb.runList(runList())}
      touch ${stop}; wait $flipper`;
  }
});
