// Handlebars templates: compiled with noEscape (HTML escaping corrupts scripts and config) and
// strict (a missing variable is an error). Values landing in YAML, shell or option files go
// through the quoting helpers below, never pasted raw.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { stringify } from "yaml";
import { TEMPLATES_DIR } from "../../engine/paths.js";
import { encodeOptionValue } from "../mysql/option-file.js";

/** Quoting helpers every template may use. */
export const HELPERS: Record<string, (value: unknown) => string> = {
  /** A YAML scalar (JSON is a subset of YAML, so this is always valid and exact). */
  yaml: (v) => JSON.stringify(v ?? null),
  /** A whole YAML document, serialized (undefined values left out). */
  yamlDocument: (v) => stringify(v ?? null, { lineWidth: 0 }).trimEnd(),
  json: (v) => JSON.stringify(v ?? null),
  /** A single shell word. */
  shell: (v) => `'${String(v).replace(/'/g, `'\\''`)}'`,
  /** A MySQL/MariaDB option-file value that the clients read back exactly (providers/mysql/option-file.ts). */
  mycnf: (v) => encodeOptionValue(String(v)),
};

/** Helpers for which undefined has no meaning (yaml and json say null on purpose). */
const NEEDS_VALUE = new Set(["shell", "mycnf"]);

/** Where a template's source is: absolute, else the recipe's folder (templates/ first), else the engine's templates/. */
export function findTemplate(source: string, origin?: string): string | undefined {
  const candidates = isAbsolute(source)
    ? [source]
    : [...(origin ? [join(origin, "templates", source), join(origin, source)] : []), join(TEMPLATES_DIR, source)];
  return candidates.find((f) => existsSync(f));
}

/** Renders a template file with variables. Throws with the template's name on a missing variable. */
export async function renderTemplate(file: string, variables: Record<string, unknown>): Promise<string> {
  const { default: Handlebars } = await import("handlebars");
  const hb = Handlebars.create();
  // Handlebars' strict mode does not cover helper arguments: {{shell typo}} would render 'undefined'.
  for (const [name, fn] of Object.entries(HELPERS))
    hb.registerHelper(name, (value: unknown, options: { loc?: { start: { line: number } } }) => {
      if (value === undefined && NEEDS_VALUE.has(name))
        throw new Error(
          `{{${name}}} on line ${options?.loc?.start.line}: the value is undefined (a missing variable?)`,
        );
      return fn(value);
    });
  const template = hb.compile(readFileSync(file, "utf8"), { noEscape: true, strict: true });
  try {
    return template(variables);
  } catch (err) {
    throw new Error(`template ${file}: ${(err as Error).message.split("\n")[0]}`);
  }
}
