// The users provider's pure parts: getent output parsed, shadow-utils argv built from data.
import { describe, expect, it } from "vitest";
import { parseGroup, parsePasswd } from "../../providers/users/accounts.js";
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
