// system_user against real shadow-utils inside a sandbox: getent is the judge.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entry, expectConverged, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";

const user = (properties: object, action?: "create" | "remove") =>
  runList(entry("system_user", "svc", properties, action));
const desired = { home: "/var/lib/svc", groups: ["adm"], comment: "spec service" };

describe("system_user", () => {
  let sb: Sandbox;
  beforeAll(async () => void (sb = await Sandbox.create()));
  afterAll(() => sb.destroy());
  const passwd = async () => (await sb.sh("getent passwd svc || true")).stdout;
  const groups = async () => (await sb.sh("id -nG svc")).stdout.split(" ").sort();

  it("why-run on a bare sandbox reports the creation and writes nothing", async () => {
    const before = await sb.snapshot();
    const r = await sb.converge(user(desired), ["--why-run"]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stdout).toContain("* system_user[svc] action create\n  - Would create user svc");
    expect(await sb.snapshot()).toEqual(before);
    expect(await passwd()).toBe("");
  });

  it("creates the account with its home, shell default and groups, then reports nothing to do", async () => {
    expectConverged(await sb.converge(user(desired)), 1);
    expect(await passwd()).toMatch(/^svc:x:\d+:\d+:spec service:\/var\/lib\/svc:\/usr\/sbin\/nologin$/);
    expect(await groups()).toEqual(["adm", "svc"]);
    expect((await sb.sh("stat -c '%U %F' /var/lib/svc")).stdout).toBe("svc directory");
    expectConverged(await sb.converge(user(desired)), 0);
  });

  it("reports and corrects a shell changed by hand with usermod", async () => {
    await sb.sh("usermod --shell /bin/bash svc");
    const audit = await sb.converge(user(desired), ["--why-run"]);
    expect(audit.exitCode).toBe(3);
    expect(audit.stdout).toContain('Would set shell to "/usr/sbin/nologin" (was "/bin/bash")');
    const out = expectConverged(await sb.converge(user(desired)), 1);
    expect(out).toContain('- set shell to "/usr/sbin/nologin" (was "/bin/bash")');
    expect(await passwd()).toMatch(/:\/usr\/sbin\/nologin$/);
  });

  it("appends supplementary groups and keeps the ones added by hand", async () => {
    await sb.sh("usermod --append --groups audio svc");
    const out = expectConverged(await sb.converge(user({ ...desired, groups: ["adm", "staff"] })), 1);
    expect(out).toContain("- add to groups staff");
    expect(await groups()).toEqual(["adm", "audio", "staff", "svc"]);
  });

  it("compares only the properties given: a comment changed by hand is left alone when not managed", async () => {
    await sb.sh("usermod --comment 'set by hand' svc");
    expectConverged(await sb.converge(user({ home: "/var/lib/svc" })), 0);
    expect(await passwd()).toContain(":set by hand:");
  });

  it("removes the account and its home, idempotently", async () => {
    const out = expectConverged(await sb.converge(user({}, "remove")), 1);
    expect(out).toContain("- remove user svc");
    expect(await passwd()).toBe("");
    expect((await sb.sh("test -e /var/lib/svc || echo gone")).stdout).toBe("gone");
    const again = expectConverged(await sb.converge(user({}, "remove")), 0);
    expect(again).toContain("* system_user[svc] action remove (up to date)");
  });
});
