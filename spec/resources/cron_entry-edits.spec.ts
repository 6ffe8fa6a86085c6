// cron_entry against crontabs edited by hand, in a sandbox with the real crontab(1): damaged blocks
// fail the resource and leave every line as it was; CRLF crontabs and awkward values above an
// entry are handled in place.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { entry, expectConverged, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";

const SPOOL = "/var/spool/cron/crontabs/root";
const cron = (properties: object, action?: "create" | "remove") =>
  runList(entry("cron_entry", "a", { minute: "1", command: "/bin/run", ...properties }, action));
const block = "# converge: a\nMAILTO=x@y\n1 * * * * /bin/run\nMAILTO=root\n# converge end: a\n";

describe("cron_entry and hand edits", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create();
  });
  afterAll(() => sb.destroy());
  /** Installs `text` as root's crontab with crontab(1), as a person would. */
  const install = async (text: string) => expect((await sb.exec(["crontab", "-"], { input: text })).exitCode).toBe(0);
  const spool = async () => (await sb.sh(`tail -n +4 ${SPOOL}; printf .`)).stdout.slice(0, -1);

  it.each([
    ["a comment inside the block", block.replace("1 *", "# note\n1 *"), /line 3 "# note" is inside its block/],
    ["a user's variable before the end marker", block.replace("root\n", "root\nFOO=bar\n"), /line 5 "FOO=bar"/],
    ["the job line deleted", `${block.replace("1 * * * * /bin/run\n", "")}5 5 * * * /bin/mine\n`, /no job line/],
    ["the block pasted twice", block + block, /"# converge: a" is there 2 times/],
    ["the end marker deleted", `${block.replace("# converge end: a\n", "")}5 5 * * * /bin/mine\n`, /is missing/],
  ])("%s fails the entry, says what to do and changes no line", async (_, text, why) => {
    await install(text);
    for (const action of ["create", "remove"] as const) {
      const r = await sb.converge(cron({ mailto: "x@y" }, action));
      expect(r.exitCode, r.stdout).toBe(1);
      expect(r.stdout).toMatch(why);
      expect(r.stdout).toContain("edit it by hand (crontab -u root -e)");
      expect(await spool()).toBe(text);
    }
  });

  it("reads a crontab that someone else installed between two reads of one run, with no write of the run's own between", async () => {
    await install("0 1 * * * /bin/first\n");
    // Two entries' loads, with the user's `crontab -e` in between: the second must not be served
    // the first's text, or its write would put back what the user just replaced.
    const script = `
      import { execFileSync } from "node:child_process";
      import { LocalHost } from "${PROJECT_ROOT}/dist/engine/host.js";
      import { readCrontab } from "${PROJECT_ROOT}/dist/providers/cron/commands.js";
      const view = new LocalHost(true).view();
      const first = await readCrontab(view, "root");
      const again = await readCrontab(view, "root");
      execFileSync("crontab", ["-"], { input: "0 2 * * * /bin/second\\n" });
      const second = await readCrontab(view, "root");
      console.log(JSON.stringify([first, again, second]));`;
    const r = await sb.exec([process.execPath, "--input-type=module", "-e", script]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      "0 1 * * * /bin/first\n",
      "0 1 * * * /bin/first\n",
      "0 2 * * * /bin/second\n",
    ]);
  });

  it("finds the block of a CRLF crontab, rewrites only its lines and keeps the user's CRLF lines", async () => {
    await install(`# mine\r\n${block.replace(/\n/g, "\r\n")}5 5 * * * /bin/mine\r\n`);
    const out = expectConverged(await sb.converge(cron({ mailto: "x@y" })), 1);
    expect(out).toContain("rewrite crontab entry a as converge writes it");
    expect(await spool()).toBe(`# mine\r\n${block}5 5 * * * /bin/mine\r\n`);
    expectConverged(await sb.converge(cron({ mailto: "x@y" })), 0);
  });

  it("sets back a user's MAILTO that needs single quotes (a line crontab accepts after the entry)", async () => {
    await install(`MAILTO='"ops" <ops@example.com>'\n`);
    expectConverged(await sb.converge(cron({ mailto: "dev@example.com" })), 1);
    expect(await spool()).toContain(`\nMAILTO='"ops" <ops@example.com>'\n# converge end: a\n`);
    expectConverged(await sb.converge(cron({ mailto: "dev@example.com" })), 0);
  });

  it.each([
    [{ mailto: "' \"" }, /properties\/mailto: cron cannot read it back/],
    [{ shell: "/bin/sh\n* * * * * x" }, /properties\/shell: must (be a single line|be an absolute path)/],
    [{ environment: { MAILTO: "x" } }, /properties\/environment\/MAILTO: cron reads MAILTO from the crontab/],
    [{ shell: "/usr/bin/fish", path: "/bin" }, /properties\/shell: .*POSIX shell/],
    [{ path: "/x", environment: { PATH: "/y" } }, /properties\/environment\/PATH/],
    [{ environment: { BIG: "x".repeat(990) } }, /properties\/command: .* bytes/],
  ])("refuses %j before touching anything (exit 2)", async (props, why) => {
    const r = await sb.converge(cron(props));
    expect(r.exitCode).toBe(2);
    expect(r.stderr + r.stdout).toMatch(why);
  });
});
