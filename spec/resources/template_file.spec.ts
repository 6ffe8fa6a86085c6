// template_file inside a sandbox: content, owner and mode checked with stat and cat; backups
// and the atomic write checked by listing what is left on disk.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEMPLATES_DIR } from "../../engine/paths.js";
import { entry, expectConverged, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";

const PATH = "/etc/spec-app.conf";
const file = (properties: object, action?: "create" | "remove") =>
  runList(entry("template_file", PATH, properties, action));
const conf = (content: string, more: object = {}) => file({ content, owner: "daemon", mode: "0640", ...more });

describe("template_file", () => {
  let sb: Sandbox;
  beforeAll(async () => void (sb = await Sandbox.create()));
  afterAll(() => sb.destroy());
  const sh = async (script: string) => (await sb.sh(script)).stdout;
  const BACKUPS = "/var/lib/converge/backup/etc";
  const backups = () => sh(`ls -A ${BACKUPS} 2>/dev/null | grep '^spec-app.conf' || true`);

  it("why-run on a bare sandbox shows the new content as a diff and writes nothing", async () => {
    const before = await sb.snapshot();
    const r = await sb.converge(conf("a = 1\n"), ["--why-run"]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stdout).toContain(`- Would create new file ${PATH}\n`);
    expect(r.stdout).toContain("    +a = 1");
    expect(r.stdout).toContain("- Would set mode to '0640'");
    expect(await sb.snapshot()).toEqual(before);
  });

  it("writes content, owner and mode, leaves no temp file, then reports nothing to do", async () => {
    expectConverged(await sb.converge(conf("a = 1\n")), 1);
    expect(await sh(`stat -c '%U %a' ${PATH}; cat ${PATH}`)).toBe("daemon 640\na = 1");
    expect(await sh("ls -A /etc | grep converge- || true")).toBe("");
    expectConverged(await sb.converge(conf("a = 1\n")), 0);
  });

  it("reports and corrects content and mode changed by hand, keeping the hand-made copy", async () => {
    await sb.sh(`echo 'a = 2' > ${PATH}; chmod 0666 ${PATH}`);
    const audit = await sb.converge(conf("a = 1\n"), ["--why-run"]);
    expect(audit.exitCode).toBe(3);
    expect(audit.stdout).toMatch(/Would update content in file \/etc\/spec-app.conf from \w{12} to \w{12}/);
    expect(audit.stdout).toContain("    -a = 2\n    +a = 1");
    expect(audit.stdout).toContain("Would change mode from '0666' to '0640'");
    expectConverged(await sb.converge(conf("a = 1\n")), 1);
    expect(await sh(`stat -c '%a' ${PATH}; cat ${PATH}`)).toBe("640\na = 1");
    const [copy] = (await backups()).split("\n");
    expect(await sh(`stat -c '%a %U' ${BACKUPS}/${copy}; cat ${BACKUPS}/${copy}`)).toBe("600 root\na = 2");
    expect(await sh("stat -c %a /var/lib/converge/backup")).toBe("700");
  });

  it("keeps only the `backup` newest copies, each distinct, even when converges come fast", async () => {
    await sb.sh("rm -rf /var/lib/converge/backup");
    for (const n of [3, 4, 5, 6]) expectConverged(await sb.converge(conf(`a = ${n}\n`, { backup: 2 })), 1);
    const kept = (await backups()).split("\n");
    expect(kept).toHaveLength(2);
    const contents = await sh(`cd ${BACKUPS} && cat ${kept.join(" ")}`);
    expect(contents).toBe("a = 4\na = 5");
    expect(await sh(`ls -A ${BACKUPS} /etc | grep converge- || true`)).toBe("");
  });

  it("suppresses the diff of a sensitive file", async () => {
    const r = await sb.converge(conf("password = hunter2-spec\n", { sensitive: true }));
    const out = expectConverged(r, 1);
    expect(out).toContain(`- update content in file ${PATH} (sensitive: diff suppressed)`);
    expect(out).not.toContain("hunter2-spec");
  });

  it("renders a template from the engine's templates/, without HTML escaping", async () => {
    const name = `spec-${process.pid}.hbs`;
    writeFileSync(join(TEMPLATES_DIR, name), "host = {{host}}\nquoted = {{shell cmd}}\n");
    try {
      const props = { source: name, variables: { host: "<db&1>", cmd: "it's" } };
      expectConverged(await sb.converge(file(props)), 1);
      expect(await sh(`cat ${PATH}`)).toBe("host = <db&1>\nquoted = 'it'\\''s'");
      const missing = await sb.converge(file({ source: name, variables: { host: "x" } }));
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).toContain(
        `properties/variables: template ${join(TEMPLATES_DIR, name)} line 2: variable "cmd" is not defined`,
      );
    } finally {
      rmSync(join(TEMPLATES_DIR, name));
    }
  });

  it("renders a template from the folder of the recipe that declares it", async () => {
    const cookbook = join(sb.dir, "cookbooks", "app");
    mkdirSync(join(cookbook, "templates"), { recursive: true });
    writeFileSync(join(cookbook, "templates", "app.conf.hbs"), "site = {{site}}\n");
    writeFileSync(
      join(cookbook, "default.js"),
      `export default (r) => r.template_file(${JSON.stringify(PATH)}, { source: "app.conf.hbs", variables: { site: r.attributes.site } });\n`,
    );
    const doc = { run_list: ["recipe[app]"], attributes: { site: "shop" } };
    expectConverged(await sb.converge(doc, ["--recipe-path", join(sb.dir, "cookbooks")]), 1);
    expect(await sh(`cat ${PATH}`)).toBe("site = shop");
  });

  it("removes the file, idempotently", async () => {
    expect(expectConverged(await sb.converge(file({}, "remove")), 1)).toContain(`- delete file ${PATH}`);
    expect(await sh(`test -e ${PATH} || echo gone`)).toBe("gone");
    expectConverged(await sb.converge(file({}, "remove")), 0);
  });
});
