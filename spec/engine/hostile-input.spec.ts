// Run-lists an attacker or an accident could hand to converge: bytes that are not UTF-8,
// duplicate keys, control characters, absurd nesting, files that never end or never open, templates
// that cannot render. Each is refused whole with exit 2 and one clear line, in bounded time,
// before anything on the host is touched (the sandbox is byte for byte as it was).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { useRefusals } from "../support/refusals.js";
import { entry, expectConverged, runList } from "../support/run-lists.js";
import type { Result } from "../support/sandbox.js";

// Valid and not yet converged, listed first: if validation let anything through, this would be created.
const WOULD_WRITE = entry("directory", "/etc/spec-untouched");
const WOULD_WRITE_JSON = JSON.stringify(WOULD_WRITE);
const cron = (command: string) => entry("cron_entry", "spec-hostile", { minute: "0", command });

describe("hostile run-lists", () => {
  const refusals = useRefusals();
  const sb = () => refusals.sb;
  const expectRefused = (r: Result, message: string | RegExp) => refusals.expectRefused(r, message, { oneLine: true });

  /** converge on a file given by path (any kind), killed after 20 s so that a hang fails the test instead of stalling it. */
  const convergePath = (path: string, flags: string[] = [], env?: Record<string, string>) =>
    sb().exec(
      ["timeout", "-s", "KILL", "20", process.execPath, join(PROJECT_ROOT, "bin/converge.js"), path, ...flags],
      {
        env,
      },
    );
  const convergeBytes = (bytes: Buffer | string) => {
    const file = join(sb().dir, "hostile.json");
    writeFileSync(file, bytes);
    return convergePath(file);
  };

  it("refuses bytes that are not UTF-8, naming where, instead of writing U+FFFD into /etc", async () => {
    const file = entry("template_file", "/etc/spec-motd", { content: "caf\u00e9\n" });
    const text = JSON.stringify(runList(WOULD_WRITE, file));
    // é as Latin-1: one byte 0xe9, which UTF-8 reads as the start of a sequence that never comes.
    const bytes = Buffer.from(text.replace("\u00e9", "\u0000"), "utf8");
    bytes[bytes.indexOf(0)] = 0xe9;
    await expectRefused(
      await convergeBytes(bytes),
      `hostile.json: not valid UTF-8 (byte 0xe9 at offset ${text.indexOf("\u00e9")}, line 1)`,
    );
  });

  it("refuses a second run_list, which JSON.parse would silently take instead of the first", async () => {
    await expectRefused(
      await convergeBytes(`{"run_list": [${WOULD_WRITE_JSON}],\n "run_list": []}`),
      'hostile.json: invalid JSON at line 2, column 2: duplicate key "run_list" in /: JSON would silently keep only the last one',
    );
  });

  it("refuses a duplicate key at any depth", async () => {
    const doc = `{"run_list": [${WOULD_WRITE_JSON}, {"type": "directory", "name": "/etc/x", "properties": {"mode": "0755", "mode": "0700"}}]}`;
    await expectRefused(await convergeBytes(doc), 'duplicate key "mode" in /run_list/1/properties');
  });

  it("refuses a NUL in a cron command at validation, not at apply after other changes", async () => {
    await expectRefused(
      await sb().converge(runList(WOULD_WRITE, cron("/bin/true\u0000; rm -rf /"))),
      "run_list/1 (cron_entry[spec-hostile]) properties/command: must not contain control characters (U+0000 at character 10)",
    );
  });

  it("refuses a line break or an escape sequence in a name, shown escaped", async () => {
    await expectRefused(
      await sb().converge(runList(WOULD_WRITE, entry("cron_entry", "a\u001b[2Jb", { command: "/bin/true" }))),
      "run_list/1 (cron_entry[a\\u001b[2Jb]) name: must not contain control characters (U+001B at character 2)",
    );
    await expectRefused(
      await sb().converge(runList(WOULD_WRITE, cron("/bin/true\r* * * * * /bin/evil"))),
      'properties/command: must be a single line, got "/bin/true\\r* * * * * /bin/evil"',
    );
  });

  it("refuses a run-list nested 10,000 deep with exit 2, not a stack overflow", async () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    await expectRefused(
      await convergeBytes(`{"run_list": [${WOULD_WRITE_JSON}], "attributes": {"x": ${deep}}}`),
      /hostile\.json: invalid JSON at line 1, column \d+: nested deeper than 64 levels$/,
    );
  });

  it.each(["/dev/zero", "/dev/urandom"])("refuses %s as the run-list at once", async (device) => {
    await expectRefused(await convergePath(device), `converge: ${device}: not a regular file (a character device)`);
  });

  it("refuses a FIFO as the run-list or as a secret file, without waiting for a writer", async () => {
    const fifo = join(sb().dir, "run-list.fifo");
    await sb().sh(`mkfifo '${fifo}'`);
    await expectRefused(await convergePath(fifo), `converge: ${fifo}: not a regular file (a FIFO)`);
    const key = entry("mysql_user", "spec_fifo", { password: { file: fifo } });
    await expectRefused(
      await sb().converge(runList(WOULD_WRITE, key)),
      `run_list/1 (mysql_user[spec_fifo]) properties/password: ${fifo}: not a regular file (a FIFO)`,
    );
  });

  it("refuses a missing template source before any change, saying where it looked", async () => {
    const file = entry("template_file", "/etc/spec-app.conf", { source: "app.conf.hbs" });
    await expectRefused(
      await sb().converge(runList(WOULD_WRITE, file)),
      `run_list/1 (template_file[/etc/spec-app.conf]) properties/source: template "app.conf.hbs" not found (looked in ${sb().dir}/templates/app.conf.hbs, ${sb().dir}/app.conf.hbs, ${PROJECT_ROOT}/templates/app.conf.hbs)`,
    );
  });

  it("refuses a missing template variable before any change, naming file, line and variable", async () => {
    const template = join(sb().dir, "strict.hbs");
    writeFileSync(template, "# app\nhost = {{db.host}}\nport = {{shell db.port}}\n");
    const file = (db: object) => entry("template_file", "/etc/spec-app.conf", { source: template, variables: { db } });
    const at = "run_list/1 (template_file[/etc/spec-app.conf]) properties/variables";
    await expectRefused(
      await sb().converge(runList(WOULD_WRITE, file({}))),
      `${at}: template ${template} line 2: variable "db.host" is not defined`,
    );
    await expectRefused(
      await sb().converge(runList(WOULD_WRITE, file({ host: "db1" }))),
      `${at}: template ${template} line 3: variable "db.port" is not defined`,
    );
  });

  it("refuses content given with variables, which would otherwise be written literally", async () => {
    const file = entry("template_file", "/etc/spec-app.conf", {
      content: "host = {{host}}\n",
      variables: { host: "db1" },
    });
    await expectRefused(
      await sb().converge(runList(WOULD_WRITE, file)),
      'run_list/1 (template_file[/etc/spec-app.conf]) properties/variables: only a "source" template sees variables',
    );
  });

  it("looks up an inline resource's relative template source next to the run-list", async () => {
    mkdirSync(join(sb().dir, "templates"), { recursive: true });
    writeFileSync(join(sb().dir, "templates", "site.conf.hbs"), "site = {{site}}\n");
    const file = entry("template_file", "/etc/spec-site.conf", {
      source: "site.conf.hbs",
      variables: { site: "shop" },
    });
    expectConverged(await sb().converge(runList(file)), 1);
    expect((await sb().sh("cat /etc/spec-site.conf")).stdout).toBe("site = shop");
    await refusals.settle();
  });
});
