// The front door of both commands: --help and --version, "did you mean" for a mistyped flag or
// command, and the one-line refusal of a user who is not root.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import { entry, runList } from "../support/run-lists.js";
import { Sandbox } from "../support/sandbox.js";

const run = (bin: string, args: string[]) => {
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, "bin", bin), ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8"));

describe("converge", () => {
  it("--help names every flag, the exit codes and an example, on stdout, exit 0", () => {
    const r = run("converge.js", ["--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    for (const flag of [
      "--why-run",
      "--format doc|json",
      "--log-level LEVEL",
      "--recipe-path DIR",
      "-h, --help",
      "--version",
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${flag.replace(/[|]/g, "\\|")}  `, "m"));
    expect(r.stdout).toContain("exit codes:\n  0  success");
    expect(r.stdout).toContain("  2  bad input (run-list, recipe, flag) or not root; nothing was touched");
    expect(r.stdout).toContain("  3  --why-run only: changes would be made");
    expect(r.stdout).toContain("\n  converge examples/backup.json --why-run\n");
    expect(run("converge.js", ["-h"]).stdout).toBe(r.stdout);
  });

  it("--version prints the package's version", () => {
    expect(run("converge.js", ["--version"])).toEqual({ code: 0, stdout: `converge ${version}\n`, stderr: "" });
  });

  it.each([
    [["x.json", "--why-rn"], "converge: --why-rn: unknown flag (did you mean --why-run?)"],
    [["x.json", "--recipes-path", "d"], "converge: --recipes-path: unknown flag (did you mean --recipe-path?)"],
    [["x.json", "--format"], "converge: --format: needs a value (doc|json)"],
    [["x.json", "--format", "--why-run"], "converge: --format: needs a value (doc|json)"],
    [["x.json", "--why-run=yes"], 'converge: --why-run: takes no value, got "yes"'],
    [["a.json", "b.json"], 'converge: unexpected argument "b.json"'],
    [[], "converge: missing RUN_LIST.json"],
  ])("a command-line mistake (%j) is named, with the usage, exit 2", (args, line) => {
    const r = run("converge.js", args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe(line);
    expect(r.stderr).toContain("\nusage: converge RUN_LIST.json [--why-run | --validate]");
  });

  describe("not root", () => {
    let sb: Sandbox;
    beforeAll(async () => {
      sb = await Sandbox.create();
      await sb.letEveryoneReach(PROJECT_ROOT);
    });
    afterAll(() => sb.destroy());
    const asNobody = (args: string[]) =>
      sb.exec([
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        process.execPath,
        join(PROJECT_ROOT, "bin/converge.js"),
        ...args,
      ]);
    // Valid, and readable by anyone: only who runs it is wrong.
    const validRunList = () => sb.runList(runList(entry("directory", "/etc/spec-not-root")));

    it.each([[[]], [["--why-run"]]])("%j is refused in one line, exit 2, before reading anything", async (flags) => {
      const before = await sb.snapshot();
      const r = await asNobody([validRunList(), ...flags]);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        "converge: must run as root (it reads and changes users, crontabs and files under /etc; run it with sudo)",
      );
      expect(await sb.snapshot()).toEqual(before);
    });

    it("with --format json the refusal is the error document", async () => {
      const r = await asNobody([validRunList(), "--why-run", "--format", "json"]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toEqual({
        error: {
          kind: "bad_input",
          exit_code: 2,
          problems: [{ message: expect.stringMatching(/^must run as root \(/) }],
        },
      });
    });

    it("--version works for anyone", async () => {
      const r = await asNobody(["--version"]);
      expect(r).toMatchObject({ exitCode: 0, stdout: `converge ${version}` });
    });
  });
});

describe("s3-backup", () => {
  it("--help lists every command and how to read more, exit 0", () => {
    const r = run("s3-backup.js", ["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["run", "policy", "lifecycle", "restore", "verify"])
      expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, "m"));
    expect(r.stdout).toContain("s3-backup COMMAND --help explains a command's flags");
    expect(r.stdout).toContain("exit codes:\n  0  success\n  1  failed at run time");
  });

  it.each([
    ["run", ["--config FILE"]],
    ["policy", ["--config FILE"]],
    ["lifecycle", ["--config FILE", "--apply"]],
    [
      "restore",
      [
        "--config FILE",
        "--name NAME",
        "--date YYYY-MM-DD",
        "--host HOST",
        "--to DIR",
        "--into-database DB",
        "--mysql-defaults-file FILE",
      ],
    ],
    ["verify", ["--config FILE", "--date YYYY-MM-DD", "--host HOST", "--work-dir DIR", "--mysql-defaults-file FILE"]],
  ])("%s --help explains each of its flags, its exit codes and an example", (command, flags) => {
    const r = run("s3-backup.js", [command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: s3-backup ${command} --config FILE`));
    for (const flag of flags) expect(r.stdout).toMatch(new RegExp(`^  ${flag} +\\S`, "m"));
    expect(r.stdout).toContain("exit codes:");
    expect(r.stdout).toMatch(new RegExp(`example.*:\\n  s3-backup ${command} --config `));
  });

  it("--version, also after a command", () => {
    expect(run("s3-backup.js", ["--version"]).stdout).toBe(`s3-backup ${version}\n`);
    expect(run("s3-backup.js", ["run", "--version"]).stdout).toBe(`s3-backup ${version}\n`);
  });

  it.each([
    [["restor"], 's3-backup: unknown command "restor" (did you mean restore?)', "usage: s3-backup COMMAND"],
    [
      ["verify", "--config", "c.yml", "--wrok-dir", "/x"],
      "s3-backup: --wrok-dir: unknown flag (did you mean --work-dir?)",
      "usage: s3-backup verify",
    ],
    [
      ["restore", "--confg", "c.yml"],
      "s3-backup: --confg: unknown flag (did you mean --config?)",
      "usage: s3-backup restore",
    ],
  ])("a mistake (%j) is answered with did you mean, exit 2", (args, line, usage) => {
    const r = run("s3-backup.js", args);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(line);
    expect(r.stderr).toContain(`\n${usage}`);
  });
});
