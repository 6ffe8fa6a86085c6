// The cron provider's pure parts, on text as crontab(1) prints it: field grammar, finding and
// rewriting the marked entry, refusing blocks damaged by hand edits, and the install header.
import { describe, expect, it } from "vitest";
import { DamagedEntry } from "../../providers/cron/blocks.js";
import {
  type CronEntry,
  holdsAsWritten,
  readEntry,
  renderEntry,
  stripInstallHeader,
  withEntry,
} from "../../providers/cron/crontab.js";
import { isCronField } from "../../providers/cron/fields.js";

describe("cron field grammar (what Debian's crontab(1) accepts)", () => {
  const valid: [Parameters<typeof isCronField>[0], string][] = [
    ["minute", "*"],
    ["minute", "0"],
    ["minute", "59"],
    ["minute", "*/15"],
    ["minute", "1-5/2"],
    ["minute", "0,15,30,45"],
    ["hour", "0-23/2"],
    ["day", "1"],
    ["day", "31"],
    ["month", "jan-mar"],
    ["month", "12"],
    ["weekday", "mon-fri"],
    ["weekday", "MON"],
    ["weekday", "7"],
    ["weekday", "0-7"],
  ];
  const invalid: [Parameters<typeof isCronField>[0], string][] = [
    ["minute", "60"],
    ["minute", "61"],
    ["minute", ""],
    ["minute", "1,"],
    ["minute", "*/0"],
    ["minute", "5/10"],
    ["minute", "5-1"],
    ["minute", "mon"],
    ["minute", "1.5"],
    ["hour", "24"],
    ["day", "0"],
    ["day", "32"],
    ["month", "13"],
    ["month", "0"],
    ["weekday", "8"],
    ["weekday", "monday"],
  ];
  it.each(valid)("accepts %s %j", (field, text) => expect(isCronField(field, text)).toBe(true));
  it.each(invalid)("refuses %s %j", (field, text) => expect(isCronField(field, text)).toBe(false));
});

const job = (over: Partial<CronEntry> = {}): CronEntry => ({
  schedule: ["0", "4", "*", "*", "*"],
  command: "/bin/x",
  environment: {},
  variables: {},
  restore: {},
  ...over,
});

describe("the marked entry in a crontab", () => {
  const theirs = "# mine\nMAILTO=me\n\n0 1 * * * /bin/nightly\n";
  const block = "# converge: job\n0 4 * * * /bin/x\n# converge end: job\n";

  it("is appended after the other lines, which stay byte for byte, and always ends with its end marker", () => {
    expect(withEntry(theirs, "job", job())).toBe(`${theirs}${block}`);
    expect(withEntry("", "job", job())).toBe(block);
  });

  it("is replaced in place, between other entries", () => {
    const text = `${theirs}# converge: job\nMAILTO=ops\n5 4 * * * /bin/old\nMAILTO=me\n# converge end: job\n# converge: other\n@daily /bin/o\n# converge end: other\n`;
    const next = withEntry(text, "job", job({ environment: { PATH: "/bin" } }));
    expect(next).toBe(
      `${theirs}# converge: job\n0 4 * * * PATH='/bin'; export PATH; /bin/x\n# converge end: job\n# converge: other\n@daily /bin/o\n# converge end: other\n`,
    );
    expect(readEntry(next, "other")).toEqual(job({ schedule: undefined, special: "@daily", command: "/bin/o" }));
  });

  it("is removed with its lines only", () => {
    expect(withEntry(`${theirs}${block}SHELL=/bin/sh\n1 1 * * * /bin/theirs\n`, "job", undefined)).toBe(
      `${theirs}SHELL=/bin/sh\n1 1 * * * /bin/theirs\n`,
    );
    expect(withEntry(block, "job", undefined)).toBe("");
  });

  it("keeps a crontab without a final newline, adding only the newline cron requires", () => {
    expect(withEntry("0 1 * * * /bin/a", "job", job())).toBe(`0 1 * * * /bin/a\n${block}`);
  });

  it("reads back what it renders, blanks, quotes and % included", () => {
    const e = job({
      command: "/bin/x --y 'z' \\% %stdin",
      environment: { A: " padded ", B: "it's 50%", C: "", PATH: "/opt/bin:/usr/bin" },
      variables: { MAILTO: "", SHELL: "/bin/bash" },
      restore: { MAILTO: '"quoted"', SHELL: "/bin/sh" },
    });
    const lines = renderEntry("job", e);
    expect(lines).toEqual([
      "# converge: job",
      'MAILTO=""',
      "SHELL=/bin/bash",
      "0 4 * * * A=' padded '; export A; B='it'\\''s 50'\\%; export B; C=''; export C; PATH='/opt/bin:/usr/bin'; export PATH; /bin/x --y 'z' \\% %stdin",
      "MAILTO='\"quoted\"'",
      "SHELL=/bin/sh",
      "# converge end: job",
    ]);
    expect(readEntry(`${lines.join("\n")}\n`, "job")).toEqual(e);
  });

  it("is found in a CRLF crontab, replaced in place, and the user's lines keep their CRLF", () => {
    const crlf = `MAILTO=me\r\n${block.replace(/\n/g, "\r\n")}0 1 * * * /bin/mine\r\n`;
    expect(readEntry(crlf, "job")).toEqual(job());
    expect(withEntry(crlf, "job", job({ command: "/bin/y" }))).toBe(
      "MAILTO=me\r\n# converge: job\n0 4 * * * /bin/y\n# converge end: job\n0 1 * * * /bin/mine\r\n",
    );
  });
});

describe("holdsAsWritten", () => {
  const theirs = "# mine\nMAILTO=me\n\n0 1 * * * /bin/nightly\n";
  const block = "# converge: job\n0 4 * * * /bin/x\n# converge end: job\n";
  const other = "# converge: other\n@daily /bin/o\n# converge end: other\n";
  const texts = [
    `${theirs}${block}${other}`,
    `${block}${theirs}`,
    `${theirs}${block}`.replace(/\n$/, ""),
    `${theirs}${block.replace(/\n/g, "\r\n")}`,
    `${theirs}${block.replace("/bin/x", "'/bin/x'")}`,
    `${theirs}${block.replace("0 4", "0  4")}`,
    `${theirs}${other}`,
    "",
  ];
  const entries = [job(), job({ command: "/bin/y" }), job({ variables: { MAILTO: "a@b" }, restore: { MAILTO: "me" } })];
  it.each(texts.flatMap((t) => entries.map((e) => [t, e] as const)))(
    "says what withEntry would: %j with %j",
    (text, entry) => expect(holdsAsWritten(text, "job", entry)).toBe(withEntry(text, "job", entry) === text),
  );
  it("holds for the text withEntry wrote", () => {
    for (const entry of entries) expect(holdsAsWritten(withEntry(theirs, "job", entry), "job", entry)).toBe(true);
  });
});

describe("a block edited by hand is refused, never guessed at", () => {
  const block = "# converge: a\nMAILTO=x@y\n0 1 * * * run\nMAILTO=root\n# converge end: a\n";
  const refused = (text: string, why: RegExp) => {
    expect(() => readEntry(text, "a")).toThrow(why);
    expect(() => withEntry(text, "a", job())).toThrow(DamagedEntry);
    expect(() => withEntry(text, "a", undefined)).toThrow(DamagedEntry);
  };

  it("a) a comment inside the block: the job would otherwise run twice", () =>
    refused(
      block.replace("MAILTO=x@y\n", "MAILTO=x@y\n# my note\n"),
      /line 3 "# my note" is inside its block \(lines 1-6\)/,
    ));

  it("a user's job inside the block", () =>
    refused(block.replace("run\n", "run\n5 5 * * * userjob\n"), /holds 2 job lines \(lines 3, 4\)/));

  it("b) a user's variable between the restore lines and the end marker: it would otherwise be deleted", () => {
    refused(block.replace("MAILTO=root\n", "MAILTO=root\nFOO=bar\n"), /line 5 "FOO=bar" is inside its block/);
    refused(block.replace("MAILTO=root\n", "MAILTO=root\nFOO bar\n"), /line 5 "FOO bar" is inside its block/);
    refused(block.replace("MAILTO=x@y\n", "MAILTO=x@y\nMAILTO=z\n"), /line 3 "MAILTO=z" is inside its block/);
    refused(block.replace("MAILTO=root\n", ""), /MAILTO set before its job line is not set back|not set back after it/);
  });

  it("c) the job line deleted: the user's next job would otherwise be taken for it", () => {
    refused(`${block.replace("0 1 * * * run\n", "")}5 5 * * * userjob\n`, /has no job line/);
    refused("# converge: a\n# converge end: a\n", /has no job line/);
  });

  it("d) the block pasted twice: remove would otherwise leave one copy running", () =>
    refused(block + block, /"# converge: a" is there 2 times \(lines 1, 6\)/));

  it("the end marker missing, or left without its marker", () => {
    refused(
      block.replace("# converge end: a\n", "0 2 * * * mine\n"),
      /"# converge end: a" is missing below "# converge: a" \(line 1\)/,
    );
    refused("# converge: a\n0 1 * * * K='v'; export K; run\n", /"# converge end: a" is missing/);
    refused("0 1 * * * run\n# converge end: a\n", /has no "# converge: a" above it/);
    refused("# converge end: a\n# converge: a\n0 1 * * * run\n", /comes before "# converge: a"/);
  });

  it("damages only that entry: the others are read as usual", () => {
    const text = `${block + block}# converge: b\n0 2 * * * b\n# converge end: b\n`;
    expect(readEntry(text, "b")).toEqual(job({ schedule: ["0", "2", "*", "*", "*"], command: "b" }));
  });
});

describe("a block with a variable converge never writes there is refused, not read as the job's environment", () => {
  it("an environment variable as a crontab line inside the block", () => {
    const text =
      "# converge: job\nMAILTO=dev\nTZ=UTC\n0 4 * * * /bin/job\nMAILTO=root\nTZ=:/etc/localtime\n# converge end: job\n";
    expect(() => readEntry(text, "job")).toThrow(/line 3 "TZ=UTC" is inside its block \(lines 1-7\)/);
  });
});

describe("the header crontab(1) writes on install", () => {
  const header =
    "# DO NOT EDIT THIS FILE - edit the master and reinstall.\n# (- installed on Thu Nov 26 04:58:39 2026)\n# (Cron version -- $Id: crontab.c,v 2.13 1994/01/17 03:20:37 vixie Exp $)\n";

  it("is stripped, and nothing else", () => {
    expect(stripInstallHeader(`${header}# mine\n0 1 * * * /bin/a\n`)).toBe("# mine\n0 1 * * * /bin/a\n");
  });

  it("is not confused with a user's own leading comments", () => {
    expect(stripInstallHeader("# mine\n# (keep)\n0 1 * * * /bin/a")).toBe("# mine\n# (keep)\n0 1 * * * /bin/a");
  });
});
