// Why-run as Chef does it: a bare machine gets the whole plan, with what it assumes earlier
// resources would have created, and nothing written. Below that, the host itself refuses writes.
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WhyRunViolation } from "../../engine/errors.js";
import { LocalHost, type Effect } from "../../engine/host.js";
import { entry, expectConverged, jsonReport, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";

const plan = runList(
  entry("system_user", "app", { home: "/var/lib/app" }),
  entry("template_file", "/var/lib/app/app.ini", { content: "[app]\n", owner: "app", group: "app", mode: "0640" }),
  entry("cron_entry", "app-tick", { user: "app", minute: "*/5", command: "/usr/bin/true" }),
);

describe("why-run on a bare machine", () => {
  let sb: Sandbox;
  beforeAll(async () => void (sb = await Sandbox.create()));
  afterAll(() => sb.destroy());

  it("reports a user and the files it would own, stating its assumptions, and writes nothing", async () => {
    const before = await sb.snapshot();
    const r = await sb.converge(plan, ["--why-run"]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain("* system_user[app] action create\n  - Would create user app");
    expect(r.stdout).toContain("  - assuming user app would have been created");
    expect(r.stdout).toContain("  - assuming group app would have been created");
    expect(r.stdout).toContain("  - assuming directory /var/lib/app would have been created");
    expect(r.stdout).toContain("  - Would create new file /var/lib/app/app.ini");
    expect(r.stdout).toContain("  - Would add crontab entry app-tick for user app");
    expect(r.stdout).toMatch(/^converge: 3\/3 resources would be updated \(why-run\) in \d+\.\d\d s$/m);
    expect(await sb.snapshot()).toEqual(before);
  });

  it("agrees with the real run that follows, and then exits 0: nothing would change", async () => {
    expectConverged(await sb.converge(plan), 3);
    expect((await sb.sh("stat -c '%U:%G %a' /var/lib/app/app.ini")).stdout).toBe("app:app 640");
    const audit = await sb.converge(plan, ["--why-run", "--format", "json"]);
    expect(audit.exitCode).toBe(0);
    expect(jsonReport(audit).resources.map((x) => x.status)).toEqual(["up_to_date", "up_to_date", "up_to_date"]);
  });
});

describe("the host in why-run", () => {
  const dir = mkdtempSync(join(tmpdir(), "host-spec-"));

  it("throws WhyRunViolation on every kind of write, before anything happens", async () => {
    const seen: Effect[] = [];
    const host = new LocalHost(true, (e) => void seen.push(e));
    const file = join(dir, "never");
    const attempts = [
      host.writeFileAtomic(file, "x", { mode: 0o600 }),
      host.mkdir(file, { recursive: true }),
      host.chmod(dir, 0o777),
      host.remove(dir, { recursive: true }),
      host.removeLeftovers(file),
      host.exec(["touch", file]),
      host.effect({ kind: "sql", target: "CREATE USER" }, async () => "done"),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(WhyRunViolation);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(dir)).toBe(true);
    expect(seen).toEqual([]);
  });

  it("still reads, and hands resources a view without write methods", async () => {
    const host = new LocalHost(true);
    expect((await host.run(["getent", "passwd", "root"])).stdout).toMatch(/^root:x:0:0:/);
    expect(Object.keys(host.view()).sort()).toEqual([
      "hold",
      "inspectFile",
      "list",
      "readlink",
      "realpath",
      "remember",
      "run",
      "stat",
    ]);
  });

  it("refuses, from a read-only view, any program not known to only read: it never starts", async () => {
    const marker = join(dir, "touched-by-run");
    const view = new LocalHost(false).view();
    await expect(view.run(["touch", marker])).rejects.toThrow(WhyRunViolation);
    await expect(view.run(["crontab", "-u", "root", "-r"])).rejects.toThrow(WhyRunViolation);
    // Crontabs are read from cron's spool file: crontab(1) is never run to read.
    await expect(view.run(["crontab", "-u", "root", "-l"])).rejects.toThrow(WhyRunViolation);
    expect(await view.stat(marker)).toBeUndefined();
  });

  it("writes, and announces each write, outside why-run", async () => {
    const seen: Effect[] = [];
    const host = new LocalHost(false, (e) => void seen.push(e));
    await host.writeFileAtomic(join(dir, "real"), "x", { mode: 0o640 });
    const [tmp] = seen.map((e) => e.target);
    expect(tmp).toMatch(new RegExp(`^${join(dir, ".real.converge-")}[0-9a-f]{12}$`));
    expect(seen).toEqual([
      { kind: "write", target: tmp },
      { kind: "rename", target: `${tmp} -> ${join(dir, "real")}` },
    ]);
    expect((await host.stat(join(dir, "real")))!.mode & 0o777).toBe(0o640);
  });
});
