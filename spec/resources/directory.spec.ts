import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../support/sandbox.js";

const dir = (properties: object, action = "create") => ({
  run_list: [{ type: "directory", name: "/var/lib/spec-dir/a/b", action, properties }],
});

describe("directory", () => {
  let sb: Sandbox;
  beforeAll(async () => void (sb = await Sandbox.create()));
  afterAll(() => sb.destroy());

  it("why-run on a bare sandbox reports the plan and writes nothing", async () => {
    const before = await sb.snapshot();
    const r = await sb.converge(dir({ recursive: true, owner: "daemon", mode: "0710" }), ["--why-run"]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain("Would create new directory /var/lib/spec-dir/a/b");
    expect(r.stdout).toContain("Would set mode to '0710'");
    expect(await sb.snapshot()).toEqual(before);
  });

  it("creates it with owner and mode, then reports nothing to do", async () => {
    const r = await sb.converge(dir({ recursive: true, owner: "daemon", mode: "0710" }));
    expect(r.exitCode, r.stderr).toBe(0);
    const st = await sb.sh("stat -c '%U %a %F' /var/lib/spec-dir/a/b");
    expect(st.stdout).toBe("daemon 710 directory");
    const again = await sb.converge(dir({ recursive: true, owner: "daemon", mode: "0710" }));
    expect(again.stdout).toContain("converge: 0/1 resources updated");
  });

  it("corrects a mode changed by hand", async () => {
    await sb.sh("chmod 0777 /var/lib/spec-dir/a/b");
    const r = await sb.converge(dir({ recursive: true, owner: "daemon", mode: "0710" }));
    expect(r.stdout).toContain("change mode from '0777' to '0710'");
    expect((await sb.sh("stat -c %a /var/lib/spec-dir/a/b")).stdout).toBe("710");
  });

  it("refuses a missing parent without recursive, before touching anything", async () => {
    const r = await sb.converge({ run_list: [{ type: "directory", name: "/var/lib/no-such/x" }] });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("directory /var/lib/no-such does not exist");
  });

  it("refuses to delete a directory and its contents when it is not the given owner's", async () => {
    await sb.sh("mkdir -p /var/lib/spec-shared && touch /var/lib/spec-shared/keep");
    const doc = {
      run_list: [
        {
          type: "directory",
          name: "/var/lib/spec-shared",
          action: "remove",
          properties: { owner: "daemon", recursive: true },
        },
      ],
    };
    const r = await sb.converge(doc);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("refusing to delete /var/lib/spec-shared and its contents: owned by root, not daemon");
    expect((await sb.sh("ls /var/lib/spec-shared")).stdout).toBe("keep");
  });

  it("with adopt: false, refuses to take over a directory that belongs to someone else", async () => {
    await sb.sh(
      "mkdir -p /var/lib/spec-theirs && chown daemon /var/lib/spec-theirs && chmod 0755 /var/lib/spec-theirs",
    );
    const doc = {
      run_list: [
        { type: "directory", name: "/var/lib/spec-theirs", properties: { owner: "root", mode: "0700", adopt: false } },
      ],
    };
    const r = await sb.converge(doc);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("refusing to take over /var/lib/spec-theirs: it belongs to daemon, not root");
    expect((await sb.sh("stat -c '%U %a' /var/lib/spec-theirs")).stdout).toBe("daemon 755");
  });

  it("removes it, idempotently", async () => {
    const r = await sb.converge(dir({}, "remove"));
    expect(r.stdout).toContain("delete directory /var/lib/spec-dir/a/b");
    expect((await sb.sh("test -e /var/lib/spec-dir/a/b || echo gone")).stdout).toBe("gone");
    const again = await sb.converge(dir({}, "remove"));
    expect(again.stdout).toContain("(up to date)");
    expect(again.exitCode).toBe(0);
  });
});
