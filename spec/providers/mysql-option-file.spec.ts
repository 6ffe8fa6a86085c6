// The mycnf helper and templates/my.cnf.hbs, read back by the MariaDB clients' own option parser.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEMPLATES_DIR } from "../../engine/paths.js";
import { renderTemplate } from "../../providers/files/templates.js";

const dir = mkdtempSync(join(tmpdir(), "mycnf-"));

/** The [client] options as my_print_defaults (the clients' parser) sees them. */
function clientOptions(text: string): string {
  const file = join(dir, "my.cnf");
  writeFileSync(file, text, { mode: 0o600 });
  const out = execFileSync("my_print_defaults", [`--defaults-file=${file}`, "client"], { encoding: "utf8" });
  return out;
}

const AWKWARD = [`a#b;c`, ` lead and trail `, `q'uo"te\\back\\\\`, `ünï ✓ 密码`, `tab\there`, `new\nline`, `\\s\\n`];

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
