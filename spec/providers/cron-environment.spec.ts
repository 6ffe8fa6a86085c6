// A managed entry's variables apply to it alone. Pure: the crontab text converge writes, and the
// environment cron runs each line of it with (jobEnvironments, cron's top-to-bottom reading).
import { describe, expect, it } from "vitest";
import { type CronEntry, environmentBefore, readEntry, withEntry } from "../../providers/cron/crontab.js";
import { defaultsFor } from "../../providers/cron/defaults.js";
import { jobEnvironments, parseAssignment } from "../../providers/cron/environment.js";

const ROOT = defaultsFor("root", "/root", []);

/** What cron_entry writes: the entry, each of its variables set back to its value above it. */
function converge(text: string, name: string, command: string, variables: Record<string, string> = {}): string {
  const before = environmentBefore(text, name, ROOT);
  const restore = Object.fromEntries(Object.keys(variables).map((k) => [k, before[k] ?? ""]));
  const entry: CronEntry = { schedule: ["0", "4", "*", "*", "*"], command, variables, restore };
  return withEntry(text, name, entry);
}

/** The value of `name` each job line (by its command's last word) runs with. */
function effective(text: string, name: string): Record<string, string> {
  return Object.fromEntries(jobEnvironments(text, ROOT).map(({ line, env }) => [line.split(" ").pop(), env[name]]));
}

describe("a managed entry's variables", () => {
  it("do not reach a later managed entry without them: it gets the owner's default", () => {
    let text = converge("", "first", "/bin/first", { MAILTO: "dev@example.com" });
    text = converge(text, "second", "/bin/second");
    expect(text).toBe(
      [
        "# converge: first",
        "MAILTO=dev@example.com",
        "0 4 * * * /bin/first",
        "MAILTO=root",
        "# converge end: first",
        "# converge: second",
        "0 4 * * * /bin/second",
        "",
      ].join("\n"),
    );
    expect(effective(text, "MAILTO")).toEqual({ "/bin/first": "dev@example.com", "/bin/second": "root" });
  });

  it("do not reach a hand-written line below, which keeps the value it had", () => {
    const theirs = "MAILTO=ops@example.com\nPATH=/opt/bin:/bin\n0 1 * * * /bin/above\n";
    const text = `${converge(theirs, "job", "/bin/job", { MAILTO: "", PATH: "/srv/bin", TZ: "UTC" })}5 5 * * * /bin/below\n`;
    expect(effective(text, "MAILTO")).toEqual({
      "/bin/above": "ops@example.com",
      "/bin/job": "",
      "/bin/below": "ops@example.com",
    });
    expect(effective(text, "PATH")).toEqual({
      "/bin/above": "/opt/bin:/bin",
      "/bin/job": "/srv/bin",
      "/bin/below": "/opt/bin:/bin",
    });
    // cron cannot unset TZ; glibc reads ":/etc/localtime" as it reads an unset TZ.
    expect(effective(text, "TZ")).toEqual({
      "/bin/above": ":/etc/localtime",
      "/bin/job": "UTC",
      "/bin/below": ":/etc/localtime",
    });
  });

  it("leave a user's own variable above in force for an entry that does not set it (not given, not managed)", () => {
    const theirs = "MAILTO=x@example.com\n";
    let text = converge(theirs, "first", "/bin/first", { SHELL: "/bin/bash" });
    text = `${converge(text, "second", "/bin/second")}1 1 * * * /bin/later\n`;
    expect(effective(text, "MAILTO")).toEqual({
      "/bin/first": "x@example.com",
      "/bin/second": "x@example.com",
      "/bin/later": "x@example.com",
    });
    expect(effective(text, "SHELL")).toEqual({
      "/bin/first": "/bin/bash",
      "/bin/second": "/bin/sh",
      "/bin/later": "/bin/sh",
    });
  });

  it("are restored to what is in effect now: an edit above the entry changes its restore lines", () => {
    const text = converge("", "job", "/bin/job", { MAILTO: "dev" });
    expect(readEntry(text, "job")?.restore).toEqual({ MAILTO: "root" });
    const edited = `MAILTO = "ops"\n${text}`;
    expect(environmentBefore(edited, "job", ROOT).MAILTO).toBe("ops");
    expect(converge(edited, "job", "/bin/job", { MAILTO: "dev" })).toBe(
      'MAILTO = "ops"\n# converge: job\nMAILTO=dev\n0 4 * * * /bin/job\nMAILTO=ops\n# converge end: job\n',
    );
  });

  it("are judged by the lines converge does not manage, so a stale block above changes nothing", () => {
    // "old" was written before restore lines existed and leaks MAILTO=leak to what follows it.
    const text = "MAILTO=ops\n# converge: old\nMAILTO=leak\n0 1 * * * /bin/old\n";
    expect(environmentBefore(text, "new", ROOT).MAILTO).toBe("ops");
    expect(environmentBefore(`${text}# converge: new\n0 2 * * * /bin/new\n`, "new", ROOT).MAILTO).toBe("ops");
  });

  it("are removed with their restore lines, leaving the crontab byte for byte as before", () => {
    const theirs = "# mine\nMAILTO=ops\n\n0 1 * * * /bin/a";
    const text = converge(theirs, "job", "/bin/job", { MAILTO: "dev", PATH: "/x" });
    expect(withEntry(`${text}PATH=/mine\n`, "job", undefined)).toBe(`${theirs}\nPATH=/mine\n`);
  });
});

describe("the end of a managed block", () => {
  const current = "# converge: job\nMAILTO=dev\n0 4 * * * /bin/job\nMAILTO=root\n# converge end: job\n";

  it("is its end marker: a user's variable line after it is not taken in", () => {
    const text = `${current}MAILTO=mine\n0 5 * * * /bin/mine\n`;
    expect(readEntry(text, "job")?.restore).toEqual({ MAILTO: "root" });
    expect(withEntry(text, "job", undefined)).toBe("MAILTO=mine\n0 5 * * * /bin/mine\n");
  });

  it("is the schedule line in the format without restore lines, which is upgraded in place", () => {
    const old = "# converge: job\nMAILTO=dev\n0 4 * * * /bin/job\nSHELL=/bin/bash\n1 1 * * * /bin/mine\n";
    expect(readEntry(old, "job")).toEqual({
      schedule: ["0", "4", "*", "*", "*"],
      command: "/bin/job",
      variables: { MAILTO: "dev" },
      restore: {},
    });
    expect(converge(old, "job", "/bin/job", { MAILTO: "dev" })).toBe(
      `${current}SHELL=/bin/bash\n1 1 * * * /bin/mine\n`,
    );
  });

  it("is only the marker with the entry's own name", () => {
    const text = "# converge: job\nMAILTO=dev\n0 4 * * * /bin/job\nMAILTO=root\n# converge end: other\n";
    expect(readEntry(text, "job")?.restore).toEqual({});
  });
});

describe("cron's reading of variable lines", () => {
  it.each([
    ["MAILTO=ops", ["MAILTO", "ops"]],
    ["  PATH = /a:/b  ", ["PATH", "/a:/b"]],
    ["X=' padded '", ["X", " padded "]],
    ['EMPTY=""', ["EMPTY", ""]],
  ])("reads %j as an assignment", (line, want) => expect(parseAssignment(line)).toEqual(want));

  it.each(["0 4 * * * A=b /bin/x", "@daily X=1 /bin/x", "*/5 * * * * /bin/x", "# A=b", ""])(
    "does not read %j as one",
    (line) => expect(parseAssignment(line)).toBeUndefined(),
  );
});

describe("cron's defaults for a crontab's owner", () => {
  it("are Debian cron's, over the pam_env files, with MAILTO the owner", () => {
    const env = defaultsFor("app", "/srv/app", ['LANG="en_US.UTF-8"\nPATH=/pam', "# locale\nexport LC_TIME=C\n"]);
    expect(env).toEqual({
      TZ: ":/etc/localtime",
      LANG: "en_US.UTF-8",
      LC_TIME: "C",
      SHELL: "/bin/sh",
      PATH: "/usr/bin:/bin",
      HOME: "/srv/app",
      LOGNAME: "app",
      MAILTO: "app",
    });
  });

  it("keep LOGNAME the owner's, whatever a line says (cron sets it last)", () => {
    expect(jobEnvironments("LOGNAME=x\n0 1 * * * /bin/a\n", ROOT)[0].env.LOGNAME).toBe("root");
  });
});
