// access_check: whether a user can run what it must, from the permission bits on the way; never
// a change, a failure with what stands in the way, in why-run too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entry, jsonReport, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";

const check = (props: object) => entry("access_check", "job", { user: "spec_reader", ...props });

describe("access_check", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create();
    await sb.sh(`useradd --system spec_reader && groupadd spec_team && usermod -aG spec_team spec_reader &&
      mkdir -p /root/code /srv/code/private /srv/team && echo x > /root/code/cli.js && echo x > /srv/code/cli.js &&
      echo x > /srv/code/private/cli.js && chmod 0700 /root /srv/code/private &&
      echo x > /srv/code/secret.js && chmod 0640 /srv/code/secret.js &&
      echo x > /srv/team/lib.js && chown root:spec_team /srv/team/lib.js && chmod 0640 /srv/team/lib.js &&
      ln -s /root/code/cli.js /srv/code/link.js && cp /usr/bin/true /srv/code/prog && chmod 0644 /srv/code/prog`);
  });
  afterAll(() => sb.destroy());

  it("is up to date, changing nothing, when the user can execute and read every path", async () => {
    const before = await sb.snapshot();
    const doc = runList(check({ execute: ["/usr/bin/env"], read: ["/srv/code/cli.js", "/srv/team/lib.js"] }));
    for (const flags of [["--why-run"], []]) {
      const r = await sb.converge(doc, flags);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain("* access_check[job] action create (up to date)");
    }
    expect(await sb.snapshot()).toEqual(before);
  });

  it.each([
    [
      "a directory on the way it may not search",
      { read: ["/root/code/cli.js"] },
      "/root (mode 0700, owner root:root) does not let it through to /root/code/cli.js",
    ],
    [
      "a file it may not read",
      { read: ["/srv/code/secret.js"] },
      "/srv/code/secret.js (mode 0640, owner root:root) is not readable by it",
    ],
    [
      "a program without an execute bit",
      { execute: ["/srv/code/prog"] },
      "/srv/code/prog (mode 0644, owner root:root) is not executable by it",
    ],
    [
      "a symlink to where it cannot go",
      { read: ["/srv/code/link.js"] },
      "/root (mode 0700, owner root:root) does not let it through to /srv/code/link.js",
    ],
    ["a path that is not there", { read: ["/srv/code/missing.js"] }, "/srv/code/missing.js does not exist"],
  ])("fails, in why-run too, on %s, naming it and the hint", async (_what, props, why) => {
    const doc = runList(check({ ...props, hint: "Install it elsewhere." }));
    for (const flags of [
      ["--why-run", "--format", "json"],
      ["--format", "json"],
    ]) {
      const r = await sb.converge(doc, flags);
      expect(r.exitCode).toBe(1);
      const [res] = jsonReport(r).resources;
      expect(res.status).toBe("failed");
      expect(res.error).toBe(`spec_reader cannot: ${why}. Install it elsewhere.`);
    }
  });

  it("in why-run, checks an account about to be created with the groups it is given", async () => {
    const user = entry("system_user", "spec_newcomer", { groups: ["spec_team"] });
    const teamFile = { user: "spec_newcomer", read: ["/srv/team/lib.js"] };
    const ok = await sb.converge(runList(user, entry("access_check", "job", { ...teamFile, groups: ["spec_team"] })), [
      "--why-run",
    ]);
    expect(ok.exitCode, ok.stdout).toBe(3);
    expect(ok.stdout).toContain(
      "* access_check[job] action create (up to date)\n  - assuming user spec_newcomer would have been created: checked as a new account",
    );
    const no = await sb.converge(runList(user, entry("access_check", "job", teamFile)), ["--why-run"]);
    expect(no.exitCode).toBe(1);
    expect(no.stdout).toContain(
      "spec_newcomer cannot: /srv/team/lib.js (mode 0640, owner root:spec_team) is not readable by it",
    );
  });
});
