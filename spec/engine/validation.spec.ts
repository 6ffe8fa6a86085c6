// Bad input is refused whole, before anything is touched: exit 2, the JSON path and what was
// expected in the message, and a sandbox byte for byte as it was.
import { describe, expect, it } from "vitest";
import { useRefusals } from "../support/refusals.js";
import { entry, runList } from "../support/run-lists.js";
import type { ErrorDocument } from "../../engine/report/error.js";

// Valid and not yet converged: if validation let anything through, this would be created.
const WOULD_WRITE = entry("directory", "/etc/spec-untouched");
const rotate = { minute: "0", hour: "4", command: "/usr/sbin/logrotate /etc/logrotate.conf" };

const CASES: { what: string; doc: unknown; flags?: string[]; message: string | RegExp }[] = [
  {
    what: "bad JSON",
    doc: '{"run_list": [',
    message: /run-list\.json: invalid JSON at line 1, column 15: unexpected end of the document$/m,
  },
  {
    what: "an unknown resource type",
    doc: runList(WOULD_WRITE, entry("cron_job", "x")),
    message: 'run_list/1: unknown resource type "cron_job" (known: system_user, directory,',
  },
  {
    what: "a bad cron field",
    doc: runList(WOULD_WRITE, entry("cron_entry", "rotate-logs", { ...rotate, minute: "61" })),
    message:
      'run_list/1 (cron_entry[rotate-logs]) properties/minute: must match cron minute syntax (0-59, *, ranges a-b, lists a,b, steps */n), got "61"',
  },
  {
    what: "an unknown property",
    doc: runList(WOULD_WRITE, entry("directory", "/etc/x", { onwer: "root" })),
    message: 'run_list/1 (directory[/etc/x]) properties/onwer: unknown property (did you mean "owner"?)',
  },
  {
    what: "a missing required property",
    doc: runList(WOULD_WRITE, entry("cron_entry", "rotate-logs", { minute: "0" })),
    message: 'run_list/1 (cron_entry[rotate-logs]) properties: missing required property "command"',
  },
  {
    what: "a duplicate type[name]",
    doc: runList(WOULD_WRITE, entry("cron_entry", "r", rotate), entry("cron_entry", "r", rotate, "remove")),
    message: "run_list/2 (cron_entry[r]): duplicate of run_list/1 (cron_entry[r])",
  },
  {
    what: "a recipe that does not exist",
    doc: runList(WOULD_WRITE, "recipe[nosuch::thing]"),
    message: "run_list/1: recipe[nosuch::thing] not found (looked in ",
  },
  {
    what: "a value of the wrong type, at its path",
    doc: runList(WOULD_WRITE, entry("system_user", "svc", { uid: "1000" })),
    message: 'run_list/1 (system_user[svc]) properties/uid: must be integer, got "1000"',
  },
  {
    what: "a bad flag",
    doc: runList(WOULD_WRITE),
    flags: ["--why-rn"],
    message: "--why-rn: unknown flag (did you mean --why-run?)",
  },
  {
    what: "a bad --format",
    doc: runList(WOULD_WRITE),
    flags: ["--format", "xml"],
    message: '--format: must be doc or json, got "xml"',
  },
];

describe("invalid run-lists and flags", () => {
  const refusals = useRefusals();
  const sb = () => refusals.sb;

  it.each(CASES)("refuses $what with exit 2 and touches nothing", async ({ doc, flags = [], message }) =>
    refusals.expectRefused(await sb().converge(doc, flags), message),
  );

  // (A case that sets --format itself is left out: the last --format wins.)
  it.each(CASES.filter((c) => !c.flags?.includes("--format")))(
    "with --format json, answers $what with one JSON document of the same lines, exit 2",
    async ({ doc, flags = [] }) => {
      const text = await sb().converge(doc, flags);
      const json = await sb().converge(doc, [...flags, "--format", "json"]);
      expect(json.exitCode, json.stderr).toBe(2);
      expect(json.stderr).toBe("");
      const { error } = JSON.parse(json.stdout) as ErrorDocument;
      expect(error).toMatchObject({ kind: "bad_input", exit_code: 2 });
      const lines = error.problems.map((p) => (p.where ? `${p.where}: ${p.message}` : p.message));
      expect(lines.length).toBeGreaterThan(0);
      // Every problem the text names (sandbox paths aside, the same file) and nothing else.
      expect(`converge: ${lines.join("\n")}`).toBe(text.stderr.split("\nusage: ")[0]);
      await refusals.expectUnchanged();
    },
  );

  it("lists every problem of the file at once", async () => {
    const doc = runList(
      entry("cron_entry", "a", { ...rotate, hour: "24" }),
      entry("directory", "relative/path"),
      entry("template_file", "/etc/y", { content: "x", source: "y.hbs" }),
    );
    const r = await sb().converge(doc);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("run_list/0 (cron_entry[a]) properties/hour: must match cron hour syntax");
    expect(r.stderr).toContain(
      'run_list/1 (directory[relative/path]) name: must be an absolute path, got "relative/path"',
    );
    expect(r.stderr).toContain(
      'run_list/2 (template_file[/etc/y]) properties: give exactly one of "source" or "content"',
    );
  });

  it("accepts remove without the properties only create needs", async () => {
    const r = await sb().converge(runList(entry("cron_entry", "never-added", { user: "root" }, "remove")));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("* cron_entry[never-added] action remove (up to date)");
  });
});
