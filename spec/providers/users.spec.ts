// The users provider's pure parts: getent output parsed, lookups answered from one listing of
// each database, shadow-utils argv built from data.
import { describe, expect, it } from "vitest";
import type { HostView, RunResult } from "../../engine/host.js";
import { LocalHost } from "../../engine/host.js";
import {
  findAccount,
  findGroup,
  groupIdsOf,
  groupsOf,
  parseGroup,
  parsePasswd,
} from "../../providers/users/accounts.js";
import { useraddArgv, userdelArgv, usermodArgv } from "../../providers/users/shadow.js";

describe("getent parsing", () => {
  it("reads a passwd line, empty comment and trailing newline included", () => {
    expect(parsePasswd("backup_shop:x:998:997::/var/lib/backup_shop:/usr/sbin/nologin\n")).toEqual({
      name: "backup_shop",
      uid: 998,
      gid: 997,
      comment: "",
      home: "/var/lib/backup_shop",
      shell: "/usr/sbin/nologin",
    });
    expect(parsePasswd("app:x:1000:1000:App, Room 1,,:/home/app:/bin/bash").comment).toBe("App, Room 1,,");
  });

  it("reads a group line with and without members", () => {
    expect(parseGroup("adm:x:4:syslog,app\n")).toEqual({ name: "adm", gid: 4, members: ["syslog", "app"] });
    expect(parseGroup("staff:x:50:")).toEqual({ name: "staff", gid: 50, members: [] });
  });
});

/**
 * A view whose getent (and id) answer from fixed text, counting the programs asked, with an
 * nsswitch.conf of the test's choosing (mock: an NSS source that declines to list cannot be set up here).
 */
function fakeGetent(listing: Record<string, string>, single: Record<string, string>, nsswitch?: string | null) {
  const asked: string[] = [];
  const view = {
    run: async (argv: readonly string[]): Promise<RunResult> => {
      asked.push(argv.join(" "));
      const [, db, key] = argv;
      const stdout = key === undefined ? listing[db] : (single[`${db} ${key}`] ?? "");
      return { stdout, stderr: "", exitCode: stdout ? 0 : 2 };
    },
    // null: a file that is there but was not read (several names, not a regular file).
    inspectFile: async () =>
      nsswitch === undefined ? undefined : { content: nsswitch === null ? undefined : Buffer.from(nsswitch) },
    remember: (_key: string, compute: () => Promise<unknown>) => compute(),
  } as unknown as HostView;
  return { view, asked };
}

describe("account lookups", () => {
  const passwd = "root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\ntwin:x:1000:1000::/x:/bin/sh\n";
  const group = "root:x:0:\napp:x:1000:web\n";

  it("answers names and ids from one listing of each database, the first line winning as getent's do (mock NSS)", async () => {
    const { view, asked } = fakeGetent({ passwd, group }, {});
    expect((await findAccount(view, "app"))?.uid).toBe(1000);
    expect((await findAccount(view, 1000))?.name).toBe("app");
    // getent takes a key of digits as an id.
    expect((await findAccount(view, "0"))?.name).toBe("root");
    expect((await findGroup(view, 1000))?.members).toEqual(["web"]);
    expect((await findGroup(view, "root"))?.gid).toBe(0);
    expect(asked.every((a) => a === "getent passwd" || a === "getent group")).toBe(true);
  });

  it("asks for a key the listing lacks on its own: an NSS source may decline to list (mock NSS)", async () => {
    const { view, asked } = fakeGetent(
      { passwd, group },
      { "passwd ldapuser": "ldapuser:x:5000:5000::/home/l:/bin/sh\n" },
    );
    expect((await findAccount(view, "ldapuser"))?.uid).toBe(5000);
    expect(await findAccount(view, "nobody_here")).toBeUndefined();
    expect(await findGroup(view, 4242)).toBeUndefined();
    expect(asked).toEqual(
      expect.arrayContaining(["getent passwd ldapuser", "getent passwd nobody_here", "getent group 4242"]),
    );
  });

  it("takes an account's groups from the group listing when every group source lists its entries (mock NSS)", async () => {
    const members = "root:x:0:\napp:x:1000:\nweb:x:33:app,other\nlog:x:4:app\nalias:x:33:app\n";
    for (const nsswitch of [undefined, "passwd: files\ngroup:          files systemd # a comment\n", "group: files"]) {
      const { view, asked } = fakeGetent({ passwd, group: members }, {}, nsswitch);
      const app = (await findAccount(view, "app"))!;
      expect(await groupIdsOf(view, app)).toEqual([1000, 33, 4]);
      expect(await groupsOf(view, app)).toEqual(["app", "web", "log"]);
      const orphan = { ...app, name: "twin", gid: 4242 };
      expect(await groupsOf(view, orphan)).toEqual(["4242"]);
      expect(asked.filter((a) => !a.startsWith("getent "))).toEqual([]);
    }
  });

  it("asks id when a group source may not list its entries (sss, ldap, compat's NIS), or nsswitch.conf could not be read (mock NSS)", async () => {
    for (const nsswitch of ["group: files sss\n", "group: files [NOTFOUND=return] ldap\n", "group: compat", null]) {
      const { view, asked } = fakeGetent(
        { passwd, group },
        { "-G app": "1000 5000\n", "-nG app": "app ldapstaff\n" },
        nsswitch,
      );
      const app = (await findAccount(view, "app"))!;
      expect(await groupIdsOf(view, app)).toEqual([1000, 5000]);
      expect(await groupsOf(view, app)).toEqual(["app", "ldapstaff"]);
      expect(asked).toEqual(expect.arrayContaining(["id -G app", "id -nG app"]));
    }
  });

  it("gives every account on this machine the groups id gives it", async () => {
    const view = new LocalHost(true).view();
    const names = (await view.run(["getent", "passwd"])).stdout
      .trim()
      .split("\n")
      .map((l) => parsePasswd(l).name);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const account = (await findAccount(view, name))!;
      expect(await groupIdsOf(view, account)).toEqual(
        (await view.run(["id", "-G", name])).stdout.trim().split(" ").map(Number),
      );
      expect(await groupsOf(view, account)).toEqual((await view.run(["id", "-nG", name])).stdout.trim().split(" "));
    }
  });

  it("agrees with getent's own lookups on this machine", async () => {
    const view = new LocalHost(true).view();
    expect(await findAccount(view, "root")).toEqual(parsePasswd((await view.run(["getent", "passwd", "root"])).stdout));
    expect((await findAccount(view, 0))?.name).toBe("root");
    expect((await findGroup(view, 0))?.name).toBe("root");
    expect(await findAccount(view, "no_such_account_here")).toBeUndefined();
  });
});

describe("shadow-utils argv", () => {
  it("useradd: every given property, as separate words, the name last", () => {
    const argv = useraddArgv("svc", {
      system: true,
      manage_home: true,
      uid: 990,
      group: "svc",
      groups: ["adm", "staff"],
      home: "/var/lib/svc",
      shell: "/usr/sbin/nologin",
      comment: "a; rm -rf /",
    });
    expect(argv).toEqual([
      "useradd",
      "--system",
      "--create-home",
      "--uid",
      "990",
      "--gid",
      "svc",
      "--groups",
      "adm,staff",
      "--home-dir",
      "/var/lib/svc",
      "--shell",
      "/usr/sbin/nologin",
      "--comment",
      "a; rm -rf /",
      "svc",
    ]);
    expect(useraddArgv("u", { manage_home: false, groups: [] })).toEqual(["useradd", "--no-create-home", "u"]);
  });

  it("usermod: only the changed properties, groups appended, home moved when managed", () => {
    expect(usermodArgv("svc", { shell: "/bin/sh" }, true)).toEqual(["usermod", "--shell", "/bin/sh", "svc"]);
    expect(usermodArgv("svc", { groups: ["audio"] }, true)).toEqual([
      "usermod",
      "--append",
      "--groups",
      "audio",
      "svc",
    ]);
    expect(usermodArgv("svc", { home: "/srv/svc" }, true)).toEqual([
      "usermod",
      "--home",
      "/srv/svc",
      "--move-home",
      "svc",
    ]);
    expect(usermodArgv("svc", { home: "/srv/svc" }, false)).toEqual(["usermod", "--home", "/srv/svc", "svc"]);
  });

  it("userdel: the home only when asked", () => {
    expect(userdelArgv("svc", true)).toEqual(["userdel", "--remove", "svc"]);
    expect(userdelArgv("svc", false)).toEqual(["userdel", "svc"]);
  });
});
