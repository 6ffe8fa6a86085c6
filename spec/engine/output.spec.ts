// The two report formats and the exit codes, as CONTRACT.md states them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entry, jsonReport, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";

const FILE = entry("template_file", "/etc/spec-out.conf", { content: "x\n", mode: "0600" });
// Fails at run time (its parent is missing), so what follows it is skipped.
const BROKEN = entry("directory", "/var/lib/spec-no-parent/child");
const AFTER = entry("template_file", "/etc/spec-after.conf", { content: "y\n" });

describe("reports and exit codes", () => {
  let sb: Sandbox;
  beforeAll(async () => void (sb = await Sandbox.create()));
  afterAll(() => sb.destroy());

  it("json: one document of the contract's shape; why-run with changes exits 3", async () => {
    const r = await sb.converge(runList(FILE), ["--why-run", "--format", "json"]);
    expect(r.exitCode).toBe(3);
    const doc = jsonReport(r);
    expect(Object.keys(doc).sort()).toEqual(["resources", "summary", "why_run"]);
    expect(doc.why_run).toBe(true);
    expect(doc.summary).toEqual({ total: 1, updated: 1, failed: 0 });
    const [res] = doc.resources;
    expect(res).toMatchObject({ type: "template_file", name: "/etc/spec-out.conf", action: "create" });
    expect(res.status).toBe("would_update");
    expect(res.changes.map((c) => c.summary)).toEqual(["create new file /etc/spec-out.conf", "set mode to '0600'"]);
    expect(res.changes[0].diff).toContain("+x");
    expect(Number.isInteger(res.duration_ms) && res.duration_ms >= 0).toBe(true);
  });

  it("doc: a line per resource and a summary; a real run exits 0, then reports up to date", async () => {
    const r = await sb.converge(runList(FILE));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\* template_file\[\/etc\/spec-out.conf\] action create\n {2}- create new file/);
    expect(r.stdout).toMatch(/\nconverge: 1\/1 resources updated in \d+\.\d\d s$/);
    const again = await sb.converge(runList(FILE), ["--format", "json"]);
    expect(again.exitCode).toBe(0);
    expect(jsonReport(again).resources[0]).toMatchObject({ status: "up_to_date", changes: [] });
  });

  it("a run-time failure exits 1, says why, and skips what follows", async () => {
    const r = await sb.converge(runList(BROKEN, AFTER), ["--format", "json"]);
    expect(r.exitCode).toBe(1);
    const doc = jsonReport(r);
    expect(doc.summary).toEqual({ total: 2, updated: 0, failed: 1 });
    expect(doc.resources.map((x) => x.status)).toEqual(["failed", "skipped"]);
    expect(doc.resources[0].error).toContain("directory /var/lib/spec-no-parent does not exist");
    expect((await sb.sh("test -e /etc/spec-after.conf || echo absent")).stdout).toBe("absent");
    const doc2 = await sb.converge(runList(BROKEN, AFTER));
    expect(doc2.stdout).toContain("* directory[/var/lib/spec-no-parent/child] action create (FAILED)");
    expect(doc2.stdout).toContain(
      "* template_file[/etc/spec-after.conf] action create (skipped after an earlier failure)",
    );
    expect(doc2.stdout).toMatch(/converge: 0\/2 resources updated, 1 failed, 1 skipped in /);
  });

  it("why-run reports every resource even past a failing one, and exits 1", async () => {
    const r = await sb.converge(runList(BROKEN, AFTER), ["--why-run", "--format", "json"]);
    expect(r.exitCode).toBe(1);
    expect(jsonReport(r).resources.map((x) => x.status)).toEqual(["failed", "would_update"]);
  });

  it("--help prints the usage and exits 0", async () => {
    const r = await sb.exec([process.execPath, "bin/converge.js", "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^usage: converge RUN_LIST.json \[--why-run \| --validate\] \[--format doc\|json\]/);
  });
});
