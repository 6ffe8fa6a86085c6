// The converge bundle renders the shipped templates from specs compiled at build time
// (scripts/templates.mjs), found by the digest of their text. Each must render exactly what
// compiling the same text renders, and fail the same way when a variable is missing.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Handlebars from "handlebars";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";
import type { TemplateSpec } from "../../providers/files/precompiled-templates.js";
import { COMPILE_OPTIONS, HELPERS } from "../../providers/files/templates.js";

const SHIPPED = readdirSync(join(PROJECT_ROOT, "templates")).filter((f) => f.endsWith(".hbs"));
const digest = (text: string) => createHash("sha256").update(text).digest("hex");

/** Variables each shipped template is rendered with here: every branch, hostile values included. */
const CASES: Record<string, Record<string, unknown>[]> = {
  "my.cnf.hbs": [
    { user: "backup_shop", password: `p"w#;\\ 'x`, socket: "/run/mysqld/mysqld.sock" },
    { user: "backup_shop", password: "pw", host: "db.example", port: 3307 },
    { user: "backup_shop", password: "pw", host: "db.example" },
    { password: "pw", socket: "/s" },
  ],
  "s3-backup-config.yml.hbs": [
    {
      resource: "s3_mysql_backup[shop]",
      config: { name: "shop", s3: { bucket: "b", prefix: "a: b #c" }, list: [1, "2"] },
    },
    { config: { name: "x" } },
  ],
  "s3-backup.sh.hbs": [
    {
      resource: "s3_file_backup[site]",
      node: "/usr/bin/node",
      bin: "/opt/it's/bin/s3-backup.js",
      config: "/var/lib/x/config.yml",
    },
    { resource: "s3_file_backup[site]", node: "/usr/bin/node", config: "/c" },
  ],
};

/** A render's output, or the error it threw and the line Handlebars gave it. */
function outcome(render: () => string): string {
  try {
    return render();
  } catch (e) {
    const err = e as Error & { lineNumber?: number };
    return `threw ${err.message} at line ${err.lineNumber}`;
  }
}

describe("the shipped templates compiled at build time", () => {
  let specs: Record<string, TemplateSpec>;
  beforeAll(async () => {
    const source = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'process.stdout.write(await (await import("./scripts/templates.mjs")).precompiledTemplatesSource())',
      ],
      { cwd: PROJECT_ROOT, encoding: "utf8" },
    );
    const file = join(mkdtempSync(join(tmpdir(), "templates-")), "precompiled.mjs");
    writeFileSync(file, source);
    specs = (await import(file)).precompiledTemplates;
  });

  it("hold every shipped template, under the digest of its text, and nothing else", () => {
    const texts = SHIPPED.map((f) => readFileSync(join(PROJECT_ROOT, "templates", f), "utf8"));
    expect(Object.keys(specs).sort()).toEqual(texts.map(digest).sort());
    expect(Object.keys(CASES).sort()).toEqual([...SHIPPED].sort());
  });

  it.each(SHIPPED)("%s renders as the compiled text does, and fails alike on a missing variable", (name) => {
    const text = readFileSync(join(PROJECT_ROOT, "templates", name), "utf8");
    const hb = Handlebars.create();
    for (const [helper, fn] of Object.entries(HELPERS))
      hb.registerHelper(helper, (value: unknown) => {
        if (value === undefined) throw new Error(`${helper} of undefined`);
        return fn(value);
      });
    const [precompiled, compiled] = [hb.template(specs[digest(text)]), hb.compile(text, COMPILE_OPTIONS)];
    const outcomes = CASES[name].map((vars) => [outcome(() => precompiled(vars)), outcome(() => compiled(vars))]);
    for (const [a, b] of outcomes) expect(a).toBe(b);
    // Each template's cases include a render that succeeds and one that fails.
    expect(outcomes.some(([a]) => !a.startsWith("threw"))).toBe(true);
    expect(outcomes.some(([a]) => a.startsWith("threw"))).toBe(true);
  });
});
