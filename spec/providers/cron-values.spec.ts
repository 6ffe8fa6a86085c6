// Awkward values through cron's own reading: a crontab variable line converge writes must be
// accepted by crontab(1) and read back to the same value (Debian's load_env, as parseAssignment
// models it), and a variable exported by a job line's prefix must reach the job's shell intact
// through cron's "%" handling, under sh, bash and dash. Checked pure, then against the real binaries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAssignment, variableLine, variableProblem } from "../../providers/cron/environment.js";
import { commandWord, shellWord, splitPrefix, withPrefix } from "../../providers/cron/prefix.js";
import { shellText } from "../support/cron-model.js";
import { Sandbox } from "../support/sandbox.js";

// Lines as a person might write them: what cron reads, or undefined where crontab(1) says "bad minute".
const LINES: [string, [string, string] | undefined][] = [
  ["MAILTO=ops", ["MAILTO", "ops"]],
  ["  PATH = /a:/b  ", ["PATH", "/a:/b"]],
  ["X=' padded '", ["X", " padded "]],
  ['EMPTY=""', ["EMPTY", ""]],
  ["A='\"x'", ["A", '"x']],
  ['A="\'x"', ["A", "'x"]],
  ['A=x""', ["A", 'x""']],
  ['A="x"  ', ["A", "x"]],
  ['"A"=b', ["A", "b"]],
  ["A=b # c", ["A", "b # c"]],
  ['A="x"\r', ["A", "x"]],
  ["A=b\r", ["A", "b"]],
  ["A=", undefined],
  ["A=  ", undefined],
  ['A=""x"', undefined],
  ['A=" a"b"', undefined],
  ['A="x" y', undefined],
  ["A B=c", undefined],
  ['A="open', undefined],
];

// Values the writer must carry through: quotes, blanks at the ends, "%", backslashes, "#".
const VALUES = [
  "",
  "plain",
  " lead",
  "trail ",
  '"x',
  '""x',
  ' a"b',
  "'x",
  "it's",
  '"quoted" ',
  "a'b\"c",
  "50%",
  "%%",
  "a\\%b",
  "back\\",
  "a\\\\b",
  "#not a comment",
  "tab\tinside",
  "$HOME `x` $(y)",
  "ünïcode",
];
const REFUSED = ["\"'", ' it\'s "x" ', "'\"", "two\nlines"];

describe("crontab variable lines", () => {
  it.each(LINES)("cron reads %j as %j", (line, want) => expect(parseAssignment(line)).toEqual(want));

  it.each(VALUES.filter((v) => !variableProblem(v)))("%j is written so that cron reads it back", (v) =>
    expect(parseAssignment(variableLine("A", v))).toEqual(["A", v]),
  );

  it("uses single quotes for a value with a double quote, double quotes for one with a single quote", () => {
    expect(variableLine("A", '"x')).toBe("A='\"x'");
    expect(variableLine("A", ' a"b')).toBe("A=' a\"b'");
    expect(variableLine("A", "'x")).toBe('A="\'x"');
    expect(variableLine("A", "")).toBe('A=""');
    expect(variableLine("A", "a'b\"c")).toBe("A=a'b\"c");
  });

  it.each(REFUSED)("refuses %j, which cron cannot read back", (v) => expect(variableProblem(v)).toBeDefined());
});

describe("variables exported by the job line", () => {
  it.each(VALUES)("%j reaches the shell as one word, past cron's %% handling", (v) => {
    const text = withPrefix({ K: v }, "/bin/job 'arg'");
    expect(splitPrefix(text)).toEqual({ environment: { K: v }, command: "/bin/job 'arg'" });
    // No "%" of the prefix reaches cron unescaped: the command is not cut inside it.
    expect(shellText(text)).toMatch(/\/bin\/job 'arg'$/);
  });

  it("a command word stays bare when plain (crontabs written before quoting do not change) and is quoted otherwise", () => {
    expect(commandWord("/var/lib/backup_site/s3-backup.sh")).toBe("/var/lib/backup_site/s3-backup.sh");
    for (const v of ["/var/lib/b k/s3-backup.sh", "/var/lib/bk%d/x", "/var/lib/bk$(id)/x", "/a'b", ""])
      expect(commandWord(v)).toBe(shellWord(v));
  });

  it("leaves a command that looks like a prefix to the reader's choice, consistently", () => {
    const text = withPrefix({}, "K='v'; export K; /bin/job");
    expect(withPrefix(splitPrefix(text).environment, splitPrefix(text).command)).toBe(text);
  });
});

describe("against Debian's crontab(1) and shells", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await Sandbox.create();
  });
  afterAll(() => sb.destroy());
  const installs = async (line: string) =>
    (await sb.exec(["crontab", "-u", "root", "-"], { input: `${line}\n0 1 * * * /bin/true\n` })).exitCode === 0;

  it("crontab accepts exactly the lines the parser takes as assignments", async () => {
    const got = [];
    for (const [line] of LINES) got.push([line, await installs(line)]);
    expect(got).toEqual(LINES.map(([line, want]) => [line, want !== undefined]));
  });

  it("crontab installs every variable line the writer makes", async () => {
    const lines = VALUES.filter((v) => !variableProblem(v)).map((v, i) => variableLine(`V${i}`, v));
    expect(await installs(lines.join("\n"))).toBe(true);
  });

  it.each(["sh", "bash", "dash"])("%s gets each exported value byte for byte", async (shell) => {
    const env = Object.fromEntries(VALUES.map((v, i) => [`V${i}`, v]));
    const names = Object.keys(env).join(" ");
    // What cron would run: the job line's text after its "%" handling, with $SHELL -c.
    const script = shellText(withPrefix(env, `for n in ${names}; do printenv "$n"; printf '\\0'; done`));
    const r = await sb.exec([`/bin/${shell}`, "-c", script]);
    expect(
      r.stdout
        .split("\0")
        .slice(0, -1)
        .map((s) => s.replace(/\n$/, "")),
    ).toEqual(VALUES);
  });
});
