// The files provider's pure parts: template lookup order and quoting helpers, report diffs,
// backup stamps.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEMPLATES_DIR } from "../../engine/paths.js";
import { backupStamp } from "../../providers/files/backups.js";
import { unifiedDiff } from "../../providers/files/diff.js";
import { findTemplate, HELPERS, renderTemplate } from "../../providers/files/templates.js";

describe("templates", () => {
  const recipe = mkdtempSync(join(tmpdir(), "recipe-"));
  mkdirSync(join(recipe, "templates"));
  writeFileSync(join(recipe, "templates", "a.hbs"), "{{shell a}} {{mycnf b}} {{yaml c}}\n");
  writeFileSync(join(recipe, "b.hbs"), "b\n");

  it("are looked up in the recipe's templates/, then its folder, then the engine's templates/", () => {
    expect(findTemplate("a.hbs", recipe)).toEqual({ file: join(recipe, "templates", "a.hbs") });
    expect(findTemplate("b.hbs", recipe)).toEqual({ file: join(recipe, "b.hbs") });
    const shipped = readdirSync(TEMPLATES_DIR)[0];
    expect(findTemplate(shipped, recipe)).toEqual({ file: join(TEMPLATES_DIR, shipped) });
    expect(findTemplate("nope.hbs", recipe)).toEqual({
      searched: [join(recipe, "templates", "nope.hbs"), join(recipe, "nope.hbs"), join(TEMPLATES_DIR, "nope.hbs")],
    });
  });

  it("quote values for shell, option files and YAML", async () => {
    const out = await renderTemplate(join(recipe, "templates", "a.hbs"), { a: "it's", b: 'p"w\\', c: "x: y" });
    expect(out).toBe(`'it'\\''s' "p\\"w\\\\" "x: y"\n`);
    expect(HELPERS.yaml(undefined)).toBe("null");
  });

  it("refuse a missing variable, even as a helper's argument, naming file, line and variable", async () => {
    const file = join(recipe, "templates", "a.hbs");
    await expect(renderTemplate(file, { b: "", c: "" })).rejects.toThrow(
      `template ${file} line 1: variable "a" is not defined`,
    );
    const nested = join(recipe, "nested.hbs");
    writeFileSync(nested, "x\n{{#each hosts}}\n  {{name}} {{net.ip}}\n{{/each}}\n");
    await expect(renderTemplate(nested, { hosts: [{ name: "a", net: {} }] })).rejects.toThrow(
      `template ${nested} line 3: variable "net.ip" is not defined`,
    );
    const error = await renderTemplate(nested, { hosts: [{}] }).catch((e: Error) => e.message);
    expect(error).toBe(`template ${nested} line 3: variable "name" is not defined`);
  });
});

describe("report diffs", () => {
  it("are unified diffs without the banner, bounded in length", () => {
    expect(unifiedDiff("/etc/x", "a\n", "b\n")).toBe(
      "--- /etc/x\tcurrent\n+++ /etc/x\tdesired\n@@ -1,1 +1,1 @@\n-a\n+b",
    );
    const big = Array.from({ length: 500 }, (_, i) => `${i}\n`).join("");
    const lines = unifiedDiff("/etc/x", "", big).split("\n");
    expect(lines).toHaveLength(201);
    expect(lines[200]).toMatch(/^\(diff truncated: \d+ more lines\)$/);
  });
});

describe("backup stamps", () => {
  it("have milliseconds and sort as they age", () => {
    expect(backupStamp(new Date("2026-11-26T05:00:12.345Z"))).toBe("20261126T050012.345Z");
    expect(backupStamp(new Date(9)) < backupStamp(new Date(10))).toBe(true);
  });
});
