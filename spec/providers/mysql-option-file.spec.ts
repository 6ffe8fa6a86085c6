// Option files (.my.cnf): what the mycnf helper and templates/my.cnf.hbs write, and what the backup
// job reads back, held to my_print_defaults (the MariaDB clients' own option parser).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseMyCnf } from "../../backup/mycnf.js";
import { TEMPLATES_DIR } from "../../engine/paths.js";
import { renderTemplate } from "../../providers/files/templates.js";
import { encodeOptionValue, parseOptionFile } from "../../providers/mysql/option-file.js";

const dir = mkdtempSync(join(tmpdir(), "mycnf-"));

/** The [client] options as my_print_defaults prints them: one `--name=value` per line. */
function clientOptions(text: string): string {
  const file = join(dir, "my.cnf");
  writeFileSync(file, text, { mode: 0o600 });
  return execFileSync("my_print_defaults", [`--defaults-file=${file}`, "client"], { encoding: "utf8" });
}

/** The same, from our parser. */
const ourClientOptions = (text: string) =>
  parseOptionFile(text)
    .filter((o) => o.group === "client")
    .map((o) => `--${o.name}${o.value === undefined ? "" : `=${o.value}`}\n`)
    .join("");

const AWKWARD = [
  `a#b;c`,
  ` lead and trail `,
  `q'uo"te\\back\\\\`,
  `ünï ✓ 密码`,
  `tab\there`,
  `new\nline`,
  `cr\rlf\r\n`,
  `back\bspace`,
  `\\s\\n\\`,
  `"`,
  `'quoted'`,
  "",
];

/** Seeded, so a failure repeats: strings over the characters the format treats specially. */
function randomPasswords(n: number): string[] {
  const alphabet = [..."ab \\\"'#;=[]!\t\n\r\bsnt", "é", "✓", "😀"];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: n }, () =>
    Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join(""),
  );
}

describe("option-file values", () => {
  it("round-trips awkward and random passwords through encode, our parser and my_print_defaults", () => {
    const passwords = [...AWKWARD, ...randomPasswords(300)];
    const text = `[client]\n${passwords.map((p) => `password = ${encodeOptionValue(p)}\n`).join("")}`;
    const expected = passwords.map((p) => `--password=${p}\n`).join("");
    expect(ourClientOptions(text)).toBe(expected);
    expect(clientOptions(text)).toBe(expected);
    for (const p of passwords) expect(parseMyCnf(`[client]\npassword=${encodeOptionValue(p)}\n`).password).toBe(p);
  });

  it("reads hand-written files as the clients do: quotes, comments, escapes, groups", () => {
    const lines = [
      "password = plain",
      "password =   spaced out   ",
      `password = "dq"`,
      `password = 'sq \\n still escaped'`,
      "password = a#b",
      `password = "a#b" # comment`,
      `password = 'a#b'`,
      `password = a\\sb\\qb`,
      `password = trail\\`,
      `password = "abc\\"`,
      `password = "unbalanced`,
      `password = 'x"y'`,
      `password = x;y`,
      `password = "é ✓"`,
      "password_x = underscores kept in the name",
      "password",
      "password = ",
      "password = 'a' 'b'",
      "password = crlf\r",
      "  # comment",
      "; comment",
      "!include /nonexistent-file-for-the-spec.cnf",
    ];
    const text = `[CLIENT]\n${lines.join("\n")}\n[ client]\npassword = not client\n[mysqld]\npassword = server\n`;
    expect(ourClientOptions(text)).toBe(clientOptions(text));
  });

  it("gives the job's connection settings from the groups mysqldump reads, later lines winning", () => {
    const cnf = parseMyCnf(
      `[client]\nuser = a\npassword = "p w"\nhost=db\n[mysqld]\nuser = server\n[mysqldump]\nuser = b\nport = 3307\nsocket = /s\n`,
    );
    expect(cnf).toEqual({ user: "b", password: "p w", host: "db", port: 3307, socket: "/s" });
  });
});

describe("my.cnf.hbs", () => {
  it.each(AWKWARD)("keeps the password %j exact through the option-file parser", async (password) => {
    const text = await renderTemplate(join(TEMPLATES_DIR, "my.cnf.hbs"), {
      user: "bk user",
      password,
      socket: "/run/mysqld/mysqld.sock",
    });
    expect(clientOptions(text)).toBe(`--user=bk user\n--password=${password}\n--socket=/run/mysqld/mysqld.sock\n`);
    expect(parseMyCnf(text)).toEqual({ user: "bk user", password, socket: "/run/mysqld/mysqld.sock" });
  });

  it("says host and port when there is no socket", async () => {
    const text = await renderTemplate(join(TEMPLATES_DIR, "my.cnf.hbs"), {
      user: "bk",
      password: "pw",
      host: "db.example",
      port: 3307,
    });
    expect(clientOptions(text)).toBe("--user=bk\n--password=pw\n--host=db.example\n--port=3307\n");
  });
});
