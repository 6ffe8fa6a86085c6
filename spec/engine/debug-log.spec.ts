// `--log-level debug` is the auditor's view: what each resource read of the host, what it found,
// and what the diff decided, in why-run as in a real run; never a file's content or a secret.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { entry, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";

const SECRET = "debug-log-secret-Zq9";

const plan = runList(
  entry("directory", "/var/lib/audit", { mode: "0750" }),
  entry("template_file", "/var/lib/audit/app.ini", { content: `[app]\ntoken=${SECRET}\n`, mode: "0600" }),
);

describe("--log-level debug", () => {
  let sb: Sandbox;
  beforeAll(async () => void (sb = await Sandbox.create()));
  afterAll(() => sb.destroy());

  const debugLines = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("converge: debug: "));

  it("in why-run, shows each read with what it found and each decision, and writes nothing", async () => {
    const before = await sb.snapshot();
    const r = await sb.converge(plan, ["--why-run", "--log-level", "debug"]);
    expect(r.exitCode, r.stderr).toBe(3);
    const lines = debugLines(r.stderr);
    expect(lines).toContain("converge: debug: directory[/var/lib/audit]: read stat /var/lib/audit: nothing there");
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^converge: debug: directory\[\/var\/lib\/audit\]: would create new directory \/var\/lib\/audit$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^converge: debug: template_file\[\/var\/lib\/audit\/app\.ini\]: would /),
    );
    expect(r.stderr).not.toContain(SECRET);
    expect(await sb.snapshot()).toEqual(before);
  });

  it("after converging, says what it found (kind, mode, owner) and that nothing is to do", async () => {
    expect((await sb.converge(plan)).exitCode).toBe(0);
    const r = await sb.converge(plan, ["--why-run", "--log-level", "debug"]);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = debugLines(r.stderr);
    expect(lines).toContain(
      "converge: debug: directory[/var/lib/audit]: read stat /var/lib/audit: directory, mode 0750, owner 0:0, 2 link(s)",
    );
    expect(lines).toContain("converge: debug: template_file[/var/lib/audit/app.ini]: up to date, nothing to do");
    expect(r.stderr).not.toContain(SECRET);
  });

  it("reads in the order it was made when stdout and stderr share one pipe (the report is written a turn at a time)", async () => {
    const converge = join(PROJECT_ROOT, "bin/converge.js");
    const r = await sb.sh(`${process.execPath} ${converge} ${sb.runList(plan)} --why-run --log-level debug 2>&1`);
    const lines = r.stdout.split("\n");
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    const order = [
      "converge: debug: directory[/var/lib/audit]: read stat",
      "* directory[/var/lib/audit] action create",
      "converge: debug: template_file[/var/lib/audit/app.ini]: read",
      "* template_file[/var/lib/audit/app.ini] action create",
      "converge: 0/2 resources",
    ].map(at);
    expect(
      order.every((i) => i >= 0),
      r.stdout,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("prints nothing of it at the default level", async () => {
    const r = await sb.converge(plan, ["--why-run"]);
    expect(debugLines(r.stderr)).toEqual([]);
  });
});
