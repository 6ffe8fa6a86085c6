// Option files (.my.cnf): what the mycnf helper and templates/my.cnf.hbs write, held to
// my_print_defaults (the MariaDB clients' own option parser), which is also how the job reads one.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEMPLATES_DIR } from "../../engine/paths.js";
import { renderTemplate } from "../../providers/files/templates.js";
import { encodeOptionValue } from "../../providers/mysql/option-file.js";

const dir = mkdtempSync(join(tmpdir(), "mycnf-"));

/** The [client] options as my_print_defaults prints them: one `--name=value` per line. */
function clientOptions(text: string): string {
  const file = join(dir, "my.cnf");
  writeFileSync(file, text, { mode: 0o600 });
  return execFileSync("my_print_defaults", [`--defaults-file=${file}`, "client"], { encoding: "utf8" });
}

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
  it("round-trips awkward and random passwords through encode and my_print_defaults", () => {
    const passwords = [...AWKWARD, ...randomPasswords(300)];
    const text = `[client]\n${passwords.map((p) => `password = ${encodeOptionValue(p)}\n`).join("")}`;
    expect(clientOptions(text)).toBe(passwords.map((p) => `--password=${p}\n`).join(""));
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
