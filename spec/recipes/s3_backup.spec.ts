// The shipped recipes: s3_backup (does nothing, as in the cookbook), ::file and ::mysql, which
// declare the backup resources from attributes, where secrets may only be references.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { Sandbox } from "../support/sandbox.js";

const example = (f: string) => JSON.parse(readFileSync(join(PROJECT_ROOT, "examples", f), "utf8"));
const env = {
  BACKUP_S3_ACCESS_KEY_ID: "AKEXAMPLEKEY",
  BACKUP_S3_SECRET_ACCESS_KEY: "s3-secret-value",
  BACKUP_DB_PASSWORD: "db-secret-value",
};

describe("recipe[s3_backup::*]", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create();
    // The backup users must reach this checkout's code, or each backup's access_check fails.
    await sb.letEveryoneReach(PROJECT_ROOT);
  });
  afterAll(() => sb.destroy());

  it("recipe[s3_backup] does nothing", async () => {
    const r = await sb.converge({ run_list: ["recipe[s3_backup]"] });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("converge: 0/0 resources updated");
  });

  it("::file and ::mysql plan exactly what the same backups written inline plan", async () => {
    const plan = async (doc: unknown) => {
      const r = await sb.converge(doc, ["--why-run", "--format", "json"], env);
      expect(r.exitCode, r.stderr).toBe(3);
      // The MySQL server is not running here: both plans assume it the same way.
      return JSON.parse(r.stdout).resources.map(({ duration_ms, ...rest }: { duration_ms: number }) => rest);
    };
    const viaRecipes = await plan(example("backup-recipes.json"));
    expect(viaRecipes.map((x: { type: string }) => x.type)).toEqual([
      ...["system_user", "directory", "template_file", "template_file", "access_check", "cron_entry"],
      ...["system_user", "directory", "template_file", "mysql_user", "template_file", "template_file"],
      ...["access_check", "cron_entry"],
    ]);
    expect(viaRecipes).toEqual(await plan(example("backup.json")));
  });

  // The commands run bundled (dist/bundle/), a user's recipe and the shipped ones are modules of
  // their own: declared side by side, each one's resources must land in the one plan.
  it("a user's recipe and the shipped ones in one run-list: every resource in one plan", async () => {
    const [backups, motd] = [example("backup-recipes.json"), example("motd.json")];
    const doc = {
      run_list: ["recipe[motd]", ...backups.run_list],
      attributes: { ...motd.attributes, ...backups.attributes },
    };
    const recipes = join(PROJECT_ROOT, "examples/recipes");
    const r = await sb.converge(doc, ["--why-run", "--format", "json", "--recipe-path", recipes], env);
    expect(r.exitCode, r.stderr).toBe(3);
    const planned = JSON.parse(r.stdout).resources.map((x: { type: string; name: string }) => `${x.type}[${x.name}]`);
    expect(planned.slice(0, 3)).toEqual([
      "template_file[/etc/motd]",
      "cron_entry[motd-reminder]",
      "template_file[/etc/issue.net]",
    ]);
    expect(planned.slice(3).map((p: string) => p.split("[")[0])).toEqual([
      ...["system_user", "directory", "template_file", "template_file", "access_check", "cron_entry"],
      ...["system_user", "directory", "template_file", "mysql_user", "template_file", "template_file"],
      ...["access_check", "cron_entry"],
    ]);
  });

  it("refuses a secret written into attributes, before touching anything (exit 2)", async () => {
    const doc = example("backup-recipes.json");
    doc.attributes.s3_backup.mysql.shop.mysql.password = "hunter22-literal";
    const before = await sb.snapshot();
    const r = await sb.converge(doc, [], env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'recipe[s3_backup::mysql]: the recipe failed: attributes/s3_backup/mysql/shop/mysql/password: a secret in attributes; give {"env": "VAR"} or {"file": "/path"} instead',
    );
    expect(r.stderr).not.toContain("hunter22-literal");
    expect(await sb.snapshot()).toEqual(before);
  });
});
