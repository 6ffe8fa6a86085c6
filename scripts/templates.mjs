// The shipped templates (templates/*.hbs) compiled at build time into one ES module:
// scripts/bundle.mjs puts it in place of providers/files/precompiled-templates.ts, so a converge
// renders them without compiling them (Handlebars generates each one's code and evals it, about
// 20 ms apiece here). Keyed by the SHA-256 of each text, with the options every render uses
// (COMPILE_OPTIONS, read from tsc's output, so this runs after tsc).
import Handlebars from "handlebars";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";

const root = new URL("..", import.meta.url);

/** The generated module's source. */
export async function precompiledTemplatesSource() {
  const { COMPILE_OPTIONS } = await import(new URL("dist/providers/files/templates.js", root).href);
  const dir = new URL("templates/", root);
  const entries = readdirSync(dir)
    .filter((f) => f.endsWith(".hbs"))
    .sort()
    .map((f) => {
      const text = readFileSync(new URL(f, dir), "utf8");
      const digest = createHash("sha256").update(text).digest("hex");
      return `  // templates/${f}\n  ${JSON.stringify(digest)}: ${Handlebars.precompile(text, COMPILE_OPTIONS)},`;
    });
  return `export const precompiledTemplates = {\n${entries.join("\n")}\n};\n`;
}
