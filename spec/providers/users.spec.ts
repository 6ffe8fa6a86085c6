// The users provider's pure parts: getent output parsed, lookups answered from one listing of
// each database, shadow-utils argv built from data.
import { describe, expect, it } from "vitest";
import type { HostView, RunResult } from "../../engine/host.js";
import { LocalHost } from "../../engine/host.js";
import { findAccount, findGroup, parseGroup, parsePasswd } from "../../providers/users/accounts.js";
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

/** A view whose getent answers from fixed text, counting the programs asked (mock: an NSS source that declines to list cannot be set up here). */
function fakeGetent(listing: Record<string, string>, single: Record<string, string>) {
  const asked: string[] = [];
  const view = {
    run: async (argv: readonly string[]): Promise<RunResult> => {
      asked.push(argv.join(" "));
      const [, db, key] = argv;
      const stdout = key === undefined ? listing[db] : (single[`${db} ${key}`] ?? "");
      return { stdout, stderr: "", exitCode: stdout ? 0 : 2 };
    },
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
