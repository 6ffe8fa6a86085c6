// One converge at a time. Without a lock, two converges of the same host interleave: both see a
// user missing and run useradd (one fails, "already exists"), both read a crontab and write it
// back with their own entry (one entry is lost). Each run below happens inside one sandbox
// command, so the converges share the sandbox's lock file (converge's lock lives in
// /var/lib/converge, which the sandbox's overlay keeps apart from other sandboxes).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { entry, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";

const DRIVER = join(PROJECT_ROOT, "spec/support/converge-driver.mjs");
const CONVERGE = `${process.execPath} ${join(PROJECT_ROOT, "bin/converge.js")}`;
const LOCK = "/var/lib/converge/lock";
const TRIALS = 50;

describe("concurrent converges", () => {
  let sb: Sandbox;
  beforeAll(async () => void (sb = await Sandbox.create()));
  afterAll(() => sb.destroy());

  /** A run-list adding cron entry `name` for user `user`, which it also creates. */
  const adding = (user: string, name: string) =>
    runList(
      entry("system_user", user, {}),
      entry("cron_entry", name, { user, minute: "5", command: `/bin/echo ${name}` }),
    );
  /** Starts a driver that holds the lock until $release exists, and waits until it holds it; $holder is its pid. */
  const holding = () => `release=${sb.dir}/release-$$; rm -f ${sb.dir}/hold.out
    ${process.execPath} ${DRIVER} hold $release > ${sb.dir}/hold.out &
    holder=$!
    until grep -q holding ${sb.dir}/hold.out 2>/dev/null; do sleep 0.1; done`;

  it("a second converge waits for the running one, saying for which pid, then runs", async () => {
    const doc = sb.runList(adding("spec_wait", "wait"), "wait.json");
    const r = await sb.sh(`${holding()}
      ${CONVERGE} ${doc} --lock-timeout 120 2> ${sb.dir}/err > ${sb.dir}/out &
      waiter=$!
      until grep -q waiting ${sb.dir}/err; do sleep 0.1; done
      # Still waiting, having changed nothing, until the holder lets go.
      getent passwd spec_wait || echo "no user yet"
      touch $release
      wait $waiter && echo "exit 0" || echo "exit $?"
      cat ${sb.dir}/out ${sb.dir}/err; echo "holder $holder"`);
    const holder = /^holder (\d+)$/m.exec(r.stdout)![1];
    expect(r.stdout).toContain("no user yet");
    expect(r.stdout).toContain("converge: 2/2 resources updated");
    expect(r.stdout).toContain("exit 0");
    expect(r.stdout).toContain(
      `converge: another converge (pid ${holder}) is running: waiting up to 120 s for it to finish`,
    );
  });

  it("gives up after --lock-timeout with exit 1 and a clear line, having changed nothing; why-run too", async () => {
    const doc = sb.runList(adding("spec_late", "late"), "late.json");
    const before = await sb.snapshot();
    const r = await sb.sh(`${holding()}
      for flags in "--lock-timeout 1" "--why-run --lock-timeout 0"; do
        ${CONVERGE} ${doc} $flags 2>&1 && echo "exit 0" || echo "exit $?"
      done
      echo "holder $holder"; touch $release`);
    const holder = /^holder (\d+)$/m.exec(r.stdout)![1];
    const line = (s: number) =>
      `converge: another converge (pid ${holder}) still holds ${LOCK} after ${s} s; nothing was changed (wait longer with --lock-timeout SECONDS)`;
    expect(r.stdout.split("\n").filter((l) => l.startsWith("converge:") || l.startsWith("exit"))).toEqual([
      `converge: another converge (pid ${holder}) is running: waiting up to 1 s for it to finish`,
      line(1),
      "exit 1",
      line(0),
      "exit 1",
    ]);
    expect(await sb.snapshot()).toEqual(before);
  });

  it("does not wait for a converge that was killed: the kernel dropped its lock", async () => {
    const doc = sb.runList(adding("spec_after", "after"), "after.json");
    const r = await sb.sh(`${holding()}
      kill -9 $holder; wait $holder || true
      ${CONVERGE} ${doc} --lock-timeout 0 2>&1`);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).not.toContain("another converge");
  });

  it("refuses a --lock-timeout that is not a number of seconds, as bad input", async () => {
    const r = await sb.converge(adding("spec_bad", "bad"), ["--lock-timeout", "soon"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--lock-timeout: must be a number of seconds (0 or more), got "soon"');
  });

  it("why-run on a host where converge never ran creates its lock and nothing else", async () => {
    await sb.sh("rm -rf /var/lib/converge");
    const before = await sb.snapshot();
    const r = await sb.converge(adding("spec_audit", "audit"), ["--why-run"]);
    expect(r.exitCode, r.stderr).toBe(3);
    const after = await sb.snapshot();
    const added = [...after.keys()].filter((k) => !before.has(k));
    expect(added.sort()).toEqual(["/var/lib/converge", LOCK]);
    expect(after.get(LOCK)).toBe("100600 0:0 ");
    expect([...before].filter(([k, v]) => after.get(k) !== v)).toEqual([]);
  });

  it(
    `two converges started together, ${TRIALS} times, never fail because of each other and lose no crontab entry`,
    { timeout: 900_000 },
    async () => {
      for (let t = 1; t <= TRIALS; t++) {
        sb.runList(adding(`spec_pair${t}`, `first${t}`), `first-${t}.json`);
        sb.runList(adding(`spec_pair${t}`, `second${t}`), `second-${t}.json`);
      }
      const barrier = join(sb.dir, "barrier");
      const driver = (which: string) =>
        `BARRIER=${barrier} ${process.execPath} ${DRIVER} loop ${TRIALS} ${sb.dir}/${which}-%d.json > ${sb.dir}/${which}.out 2>&1 &`;
      const started = performance.now();
      const r = await sb.sh(`mkdir -p ${barrier}
        ${driver("first")} first=$!
        ${driver("second")} second=$!
        for t in $(seq 1 ${TRIALS}); do
          touch ${barrier}/go-$t
          until [ $(ls ${barrier} | grep -c "^done-$t-") = 2 ]; do sleep 0.02; done
        done
        wait $first $second
        for t in $(seq 1 ${TRIALS}); do cat /var/spool/cron/crontabs/spec_pair$t; done | grep -c '^# converge: '`);
      const seconds = (performance.now() - started) / 1000;
      expect(r.exitCode, r.stderr).toBe(0);
      const outputs = await sb.sh(`cat ${sb.dir}/first.out ${sb.dir}/second.out`);
      const exits = outputs.stdout.match(/^=== exit \d+$/gm) ?? [];
      expect(exits).toHaveLength(2 * TRIALS);
      expect(outputs.stdout).not.toMatch(/FAILED|already exists/);
      expect(exits.filter((e) => e !== "=== exit 0")).toEqual([]);
      // Both entries, in every user's crontab.
      expect(Number(r.stdout.trim())).toBe(2 * TRIALS);
      console.log(
        `concurrent converges: ${TRIALS} pairs started together in ${seconds.toFixed(0)} s, ${exits.length} exit 0`,
      );
    },
  );
});
