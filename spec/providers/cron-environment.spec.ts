// A managed entry's variables apply to it alone. Pure: the crontab text converge writes, and the
// environment cron runs each line of it with (spec/support/cron-model.ts, cron's top-to-bottom reading).
import { describe, expect, it } from "vitest";
import { type CronEntry, environmentBefore, readEntry, withEntry } from "../../providers/cron/crontab.js";
import { crontabDefaults } from "../../providers/cron/environment.js";
import { defaultsFor, jobEnvironments } from "../support/cron-model.js";

const ROOT = defaultsFor("root", "/root", []);

/** What cron_entry writes: path/environment in the job line, MAILTO/SHELL as lines set back after it. */
function converge(text: string, name: string, command: string, vars: Record<string, string> = {}): string {
  const before = environmentBefore(text, name, crontabDefaults("root"));
  const crontab = (k: string) => k === "MAILTO" || k === "SHELL";
  const pick = (keep: boolean) => Object.fromEntries(Object.entries(vars).filter(([k]) => crontab(k) === keep));
  const variables = pick(true);
  const restore = Object.fromEntries(Object.keys(variables).map((k) => [k, before[k]]));
  const entry: CronEntry = {
    schedule: ["0", "4", "*", "*", "*"],
    command,
    environment: pick(false),
    variables,
    restore,
  };
  return withEntry(text, name, entry);
}

/** The value of `name` each job line (by its command's last word) runs with. */
function effective(text: string, name: string): Record<string, string | undefined> {
  return Object.fromEntries(jobEnvironments(text, ROOT).map(({ line, env }) => [line.split(" ").pop(), env[name]]));
}

describe("a managed entry's variables", () => {
  it("do not reach a later managed entry without them: it gets the owner's default", () => {
    let text = converge("", "first", "/bin/first", { MAILTO: "dev@example.com", TZ: "UTC" });
    text = converge(text, "second", "/bin/second");
    expect(text).toBe(
      [
        "# converge: first",
        "MAILTO=dev@example.com",
        "0 4 * * * TZ='UTC'; export TZ; /bin/first",
        "MAILTO=root",
        "# converge end: first",
        "# converge: second",
        "0 4 * * * /bin/second",
        "# converge end: second",
        "",
      ].join("\n"),
    );
    expect(effective(text, "MAILTO")).toEqual({ "/bin/first": "dev@example.com", "/bin/second": "root" });
    expect(effective(text, "TZ")).toEqual({ "/bin/first": "UTC", "/bin/second": ":/etc/localtime" });
  });

  it("do not reach a hand-written line below, which keeps the value it had, unset included", () => {
    const theirs = "MAILTO=ops@example.com\nPATH=/opt/bin:/bin\n0 1 * * * /bin/above\n";
    const vars = { MAILTO: "", PATH: "/srv/bin", SSL_CERT_FILE: "/etc/ssl/mine.pem" };
    const text = `${converge(theirs, "job", "/bin/job", vars)}5 5 * * * /bin/below\n`;
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
    // Not "" below: unset, as it was, which programs like openssl read differently.
    expect(effective(text, "SSL_CERT_FILE")).toEqual({
      "/bin/above": undefined,
      "/bin/job": "/etc/ssl/mine.pem",
      "/bin/below": undefined,
    });
    expect(text.slice(theirs.length)).not.toMatch(/^(PATH|SSL_CERT_FILE)=/m);
  });

  it("leave a user's own variable above in force for an entry that does not set it", () => {
    let text = converge("MAILTO=x@example.com\n", "first", "/bin/first", { SHELL: "/bin/bash" });
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
    expect(environmentBefore(edited, "job", crontabDefaults("root")).MAILTO).toBe("ops");
    expect(converge(edited, "job", "/bin/job", { MAILTO: "dev" })).toBe(
      'MAILTO = "ops"\n# converge: job\nMAILTO=dev\n0 4 * * * /bin/job\nMAILTO=ops\n# converge end: job\n',
    );
  });

  it("restore a user's value that needs quotes in the quotes cron reads back", () => {
    const text = converge("A='\"x'\nMAILTO=' \"q\"'\n", "job", "/bin/job", { MAILTO: "dev" });
    expect(text).toContain("\nMAILTO=' \"q\"'\n# converge end: job\n");
    expect(effective(`${text}1 1 * * * /bin/below\n`, "MAILTO")["/bin/below"]).toBe(' "q"');
  });

  it("are judged by the lines converge does not manage, so a stale block above changes nothing", () => {
    // Its restore line is stale (the line above it changed since): were it counted, MAILTO would be "stale".
    const text = "MAILTO=ops\n# converge: old\nMAILTO=leak\n0 1 * * * /bin/old\nMAILTO=stale\n# converge end: old\n";
    expect(environmentBefore(text, "new", crontabDefaults("root")).MAILTO).toBe("ops");
    expect(
      environmentBefore(
        `${text}# converge: new\n0 2 * * * /bin/new\n# converge end: new\n`,
        "new",
        crontabDefaults("root"),
      ).MAILTO,
    ).toBe("ops");
  });

  it("are judged alike in a long crontab: hundreds of blocks, users' lines and a damaged block between them", () => {
    let text = "";
    for (let i = 0; i < 200; i++) {
      if (i % 50 === 0) text += `MAILTO=user${i}\n`;
      text = converge(text, `e${i}`, `/bin/e${i}`, { MAILTO: `block${i}` });
    }
    // A stray line makes block e100 damaged: its lines are then a user's, its MAILTO included.
    text = text.replace("# converge: e100\n", "# converge: e100\n# a hand edit\n");
    const mailto = (name: string) => environmentBefore(text, name, crontabDefaults("root")).MAILTO;
    expect(mailto("e0")).toBe("user0");
    expect(mailto("e99")).toBe("user50");
    expect(() => mailto("e100")).toThrow("is inside its block");
    expect(mailto("e101")).toBe("user100");
    expect(mailto("e199")).toBe("user150");
    expect(mailto("new")).toBe("user150");
    expect(readEntry(text, "e199")?.restore).toEqual({ MAILTO: "user150" });
  });

  it("are removed with their restore lines, leaving the crontab byte for byte as before", () => {
    const theirs = "# mine\nMAILTO=ops\n\n0 1 * * * /bin/a";
    const text = converge(theirs, "job", "/bin/job", { MAILTO: "dev", PATH: "/x" });
    expect(withEntry(`${text}PATH=/mine\n`, "job", undefined)).toBe(`${theirs}\nPATH=/mine\n`);
  });
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
