// A secret given by {"env": ...} reaches the files that need it and nothing else: not the doc
// report, not the JSON report, not a diff, not the log, even where a careless file repeats it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exposureOf, plainTexts } from "../../engine/secrets.js";
import { entry, expectConverged, jsonReport, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";

const SECRET = "Sp3c-secret-value-0451";
const env = { SPEC_SECRET: SECRET, SPEC_KEY_ID: "AKIASPECKEYID" };
const backup = entry("s3_file_backup", "shop", {
  assets: ["/etc/hostname"],
  s3: { bucket: "spec-bucket", access_key_id: { env: "SPEC_KEY_ID" }, secret_access_key: { env: "SPEC_SECRET" } },
});
// Not marked sensitive, yet it contains the secret (say, a careless copy of a config).
const leak = (line: string) => entry("template_file", "/etc/spec-leak.conf", { content: `${line}\n` });
// A command is never sensitive: the redactor is what keeps the secret out of its report line.
const cron = entry("cron_entry", "spec-leak", { command: `/usr/bin/curl -u spec:${SECRET} http://localhost/` });
const doc = (line = `key = ${SECRET}`) => runList(backup, leak(line), cron);

describe("secrets from the environment", () => {
  let sb: Sandbox;
  beforeAll(async () => void (sb = await Sandbox.create()));
  afterAll(() => sb.destroy());

  it("never appear in a why-run's doc report, diffs or debug log", async () => {
    const r = await sb.converge(doc(), ["--why-run", "--log-level", "debug"], env);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stdout).toContain("config.yml (sensitive: diff suppressed)");
    expect(r.stdout).toContain("- Would create new file /etc/spec-leak.conf (holds a secret: diff suppressed)");
    expect(r.stdout).toContain(
      "Would add crontab entry spec-leak for user root: * * * * * /usr/bin/curl -u spec:******** ",
    );
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it("never appear in the JSON report of a real run, though the files hold them", async () => {
    const r = await sb.converge(doc(), ["--format", "json"], env);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = jsonReport(r);
    const leaked = report.resources.find((x) => x.name === "/etc/spec-leak.conf")!;
    expect(leaked.changes).toEqual([
      { summary: "create new file /etc/spec-leak.conf (holds a secret: diff suppressed)" },
    ]);
    expect(report.resources.find((x) => x.name === "spec-leak")!.changes[0].summary).toContain("spec:******** ");
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const onDisk = await sb.sh(
      "cat /etc/spec-leak.conf; grep -c -F -- " + `'${SECRET}'` + " /var/lib/backup_shop/config.yml",
    );
    expect(onDisk.stdout).toBe(`key = ${SECRET}\n1`);
  });

  // The redactor knows only this run's value; the old one is still in the file being replaced.
  it("never appear in the diff of a later change, old or new value", async () => {
    const rotated = { ...env, SPEC_SECRET: `${SECRET}-rotated` };
    const r = await sb.converge(doc(`key = ${SECRET}-rotated`), [], rotated);
    const out = expectConverged(r, 2);
    expect(out).toContain("- update content in file /etc/spec-leak.conf (holds a secret: diff suppressed)");
    expect(out).not.toContain(SECRET);
  });

  it("never appear in the JSON report when they hold characters JSON escapes, even quoted in a summary", async () => {
    const quoted = 'ab"cd\\ef-x';
    const withEnv = { ...env, SPEC_SECRET: quoted };
    const echo = (text: string) => entry("cron_entry", "spec-quoted", { command: `/bin/echo ${text}` });
    expectConverged(await sb.converge(runList(echo("plain")), [], withEnv), 1);
    // An update quotes old and new values as JSON strings inside the summary: escaped twice in the report.
    const r = await sb.converge(runList(backup, echo(quoted)), ["--format", "json", "--why-run"], withEnv);
    expect(r.exitCode, r.stderr).toBe(3);
    const summary = jsonReport(r).resources.find((x) => x.name === "spec-quoted")!.changes[0].summary;
    expect(summary).toContain("/bin/echo ********");
    for (const form of [
      quoted,
      JSON.stringify(quoted).slice(1, -1),
      JSON.stringify(JSON.stringify(quoted)).slice(1, -1),
    ])
      expect(r.stdout).not.toContain(form);
  });

  it("refuses a secret too short to keep out of output (exit 2)", async () => {
    const r = await sb.converge(runList(backup), [], { ...env, SPEC_SECRET: "abcdefg" });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("properties/s3/secret_access_key: shorter than 8 characters");
  });

  it("refuses a reference to an unset variable with exit 2, naming the variable only", async () => {
    const before = await sb.snapshot();
    const r = await sb.converge(doc(), [], { SPEC_KEY_ID: "AKIASPECKEYID" });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      "run_list/0 (s3_file_backup[shop]) properties/s3/secret_access_key: environment variable SPEC_SECRET is not set",
    );
    expect(await sb.snapshot()).toEqual(before);
  });
});

describe("where a secret would be printed as it is", () => {
  const schema = {
    type: "object",
    properties: {
      path: { type: "string" },
      password: { type: "string", sensitive: true },
      note: { type: "string", freeText: true },
      tags: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
    },
  };
  const declared = (properties: unknown, name = "site") => [
    { root: "run_list/0", type: "probe", name: "other", schema: schema as never, properties: {} },
    { root: "run_list/1", type: "probe", name, schema: schema as never, properties },
  ];
  const exposure = (secret: string, properties: unknown, name?: string) =>
    exposureOf(secret, plainTexts(declared(properties, name)));

  it("finds it in a name, a plain value, a key and an array item, naming the first level only", () => {
    expect(exposure("Sec-ret-42", {}, "x-Sec-ret-42")).toBe("the name of a resource (probe) declared by run_list/1");
    expect(exposure("Sec-ret-42", { path: "/srv/Sec-ret-42" })).toBe(
      "properties/path of a resource (probe) declared by run_list/1",
    );
    expect(exposure("Sec-ret-42", { tags: { "k-Sec-ret-42": [] } })).toBe(
      "properties/tags of a resource (probe) declared by run_list/1",
    );
    expect(exposure("Sec-ret-42", { tags: { k: ["a", "Sec-ret-42"] } })).toBe(
      "properties/tags of a resource (probe) declared by run_list/1",
    );
  });

  it("is not fooled by a secret that spans two texts (a NUL in a secret read from a file)", () => {
    // The texts are searched joined by NUL first: "/srv/a" and "Sec-ret-42b" stand side by side.
    expect(exposure("a\0Sec-ret", { path: "/srv/a", tags: { "Sec-ret-42b": [] } })).toBeUndefined();
    expect(exposure("Sec-ret-42b", { path: "/srv/a", tags: { "Sec-ret-42b": [] } })).toBe(
      "properties/tags of a resource (probe) declared by run_list/1",
    );
  });

  it("leaves out what output never prints as it is: sensitive and free-text values", () => {
    expect(
      exposure("Sec-ret-42", { password: "Sec-ret-42", note: "the Sec-ret-42 one", path: "/srv" }),
    ).toBeUndefined();
  });
});
