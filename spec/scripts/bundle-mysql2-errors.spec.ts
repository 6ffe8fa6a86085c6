// The converge bundle fills mysql2's table of error names when an error first needs one, not at
// every start (scripts/bundle.mjs): the driver must still name each error the server sends.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../engine/paths.js";

describe("mysql2's error names in the converge bundle", () => {
  // Beside the real bundle, so it finds the project as it does from dist/bundle/.
  const dir = mkdtempSync(join(PROJECT_ROOT, "dist", "spec-errors-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are there, by number and by name, as the driver reads them when an error comes", () => {
    const text = readFileSync(join(PROJECT_ROOT, "dist/bundle/converge.cjs"), "utf8");
    // The module the driver requires by that path: the bundle's own name for it, whatever esbuild chose.
    const name = /var (\w+) = __commonJS\(\{\n\s+"node_modules\/mysql2\/lib\/constants\/errors\.js"/.exec(text)?.[1];
    expect(name, "the bundle holds mysql2's constants/errors.js").toBeDefined();
    const file = join(dir, "converge.cjs");
    writeFileSync(file, `${text}\nmodule.exports.errorNames = ${name};\n`);
    const errors = (createRequire(file)(file) as { errorNames: () => Record<string | number, unknown> }).errorNames();
    expect(errors[1045]).toBe("ER_ACCESS_DENIED_ERROR");
    expect(errors.ER_ACCESS_DENIED_ERROR).toBe(1045);
    expect(errors[4031]).toBe("ER_CLIENT_INTERACTION_TIMEOUT");
    expect(1053 in errors && !(99999 in errors)).toBe(true);
    expect(Object.keys(errors).length).toBeGreaterThan(3000);
  });
});
