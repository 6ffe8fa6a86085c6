// A user's own recipe, in TypeScript and in JavaScript, found with --recipe-path: the README's
// worked example (examples/recipes/motd), converged for real.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { Sandbox } from "../support/sandbox.js";

const recipes = join(PROJECT_ROOT, "examples/recipes");
const runList = JSON.parse(readFileSync(join(PROJECT_ROOT, "examples/motd.json"), "utf8"));

describe("recipes users write", () => {
  let sb: Sandbox;
  beforeAll(async () => void (sb = await Sandbox.create()));
  afterAll(() => sb.destroy());

  it("converges the worked example: template from the recipe's folder, attributes, include", async () => {
    const r = await sb.converge(runList, ["--recipe-path", recipes]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("* template_file[/etc/motd] action create");
    expect(r.stdout).toContain("* cron_entry[motd-reminder] action create");
    expect(r.stdout).toContain("* template_file[/etc/issue.net] action create");
    const files = await sb.sh("cat /etc/motd; echo ---; cat /etc/issue.net; echo ---; crontab -u root -l");
    expect(files.stdout).toBe(
      [
        "Welcome to web1.",
        "Admins: ops@example.com",
        "---",
        "Authorized use only.",
        "---",
        "# converge: motd-reminder",
        "MAILTO=ops@example.com",
        "0 9 * * mon /usr/bin/uptime",
        "MAILTO=root",
        "# converge end: motd-reminder",
      ].join("\n"),
    );
    const again = await sb.converge(runList, ["--recipe-path", recipes]);
    expect(again.stdout).toContain("converge: 0/3 resources updated");
  });

  it("refuses a recipe that throws, before touching anything (exit 2)", async () => {
    const dir = join(sb.dir, "cookbooks");
    await sb.sh(
      `mkdir -p ${dir}/broken && echo 'export default (r) => { throw new Error("no attributes.site"); };' > ${dir}/broken/default.js`,
    );
    const before = await sb.snapshot();
    const r = await sb.converge({ run_list: ["recipe[motd]", "recipe[broken]"] }, [
      "--recipe-path",
      recipes,
      "--recipe-path",
      dir,
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("run_list/1 recipe[broken::default]: the recipe failed: no attributes.site");
    expect(await sb.snapshot()).toEqual(before);
  });
});
