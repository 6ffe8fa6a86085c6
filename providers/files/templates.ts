// Handlebars templates: compiled with noEscape (HTML escaping corrupts scripts and config) and
// strict (a missing variable is an error). Values landing in YAML, shell or option files go
// through the quoting helpers below, never pasted raw.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { stringify } from "yaml";
import { readInputFile } from "../../engine/input/read.js";
import { TEMPLATES_DIR } from "../../engine/paths.js";
import { encodeOptionValue } from "../mysql/option-file.js";
import { precompiledTemplates } from "./precompiled-templates.js";

/** How every template is compiled, at build time (scripts/templates.mjs) or when first rendered. */
export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

/** Quoting helpers every template may use. */
export const HELPERS: Record<string, (value: unknown) => string> = {
  /** A YAML scalar (JSON is a subset of YAML, so this is always valid and exact). */
  yaml: (v) => JSON.stringify(v ?? null),
  /**
   * A whole YAML document, serialized (undefined values left out). A value met twice is written
   * twice, not as an anchor and an alias: plainer to read, and no search for repeats.
   */
  yamlDocument: (v) => stringify(v ?? null, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd(),
  json: (v) => JSON.stringify(v ?? null),
  /** A single shell word. */
  shell: (v) => `'${String(v).replace(/'/g, `'\\''`)}'`,
  /** A MySQL/MariaDB option-file value that the clients read back exactly (providers/mysql/option-file.ts). */
  mycnf: (v) => encodeOptionValue(String(v)),
};

/** Helpers for which undefined has no meaning (yaml and json say null on purpose). */
const NEEDS_VALUE = new Set(["shell", "mycnf"]);

/** The template's file, or every place it was looked for: absolute as given, else the folder the declaration came from (its templates/ first), then the engine's templates/. */
export function findTemplate(source: string, origin?: string): { file: string } | { searched: string[] } {
  const candidates = isAbsolute(source)
    ? [source]
    : [...(origin ? [join(origin, "templates", source), join(origin, source)] : []), join(TEMPLATES_DIR, source)];
  const file = candidates.find((f) => existsSync(f));
  return file ? { file } : { searched: candidates };
}

/** A template that cannot be rendered: `variable` names the missing variable, when that is why. */
export class TemplateError extends Error {
  override name = "TemplateError";
  constructor(
    message: string,
    readonly variable?: string,
  ) {
    super(message);
  }
}

/**
 * Renders a template file with variables (strict: every variable it uses must be given).
 * Throws TemplateError naming the file, the line and the variable; InputError when the file
 * cannot be read as text (not a regular file, too large, not UTF-8).
 */
export async function renderTemplate(file: string, variables: Record<string, unknown>): Promise<string> {
  const source = readInputFile(file).text;
  const key = `${file}\0${source}`;
  let render = compiled.get(key);
  if (!render) compiled.set(key, (render = await compileTemplate(file, source)));
  return render(variables);
}

// Compiled once per file and content: a run-list of several backups renders each template several times.
const compiled = new Map<string, (variables: Record<string, unknown>) => string>();

async function compileTemplate(file: string, source: string): Promise<(variables: Record<string, unknown>) => string> {
  const { default: Handlebars } = await import("handlebars");
  const hb = Handlebars.create();
  // Handlebars names only the last part of a missing path ("b" of a.b), or nothing at all for a
  // helper's argument: the parsed template says what was written at that line and column.
  let parsed: Map<string, string> | undefined;
  const paths = () => (parsed ??= pathsOf(hb.parse(source)));
  const missing = (line: number | string, what: string | undefined) =>
    new TemplateError(`template ${file} line ${line}: variable ${JSON.stringify(what)} is not defined`, what);
  // Handlebars' strict mode does not cover helper arguments: {{shell typo}} would render 'undefined'.
  for (const [name, fn] of Object.entries(HELPERS))
    hb.registerHelper(name, (value: unknown, options: { loc?: { start: { line: number; column: number } } }) => {
      if (value === undefined && NEEDS_VALUE.has(name)) {
        const { line, column } = options?.loc?.start ?? { line: 0, column: 0 };
        throw missing(line, paths().get(`${line}:${column}`));
      }
      return fn(value);
    });
  // A shipped template was compiled at build time; its text's digest finds it.
  const spec = precompiledTemplates[createHash("sha256").update(source).digest("hex")];
  const template = spec ? hb.template(spec) : hb.compile(source, COMPILE_OPTIONS);
  return (variables) => {
    try {
      return template(variables);
    } catch (err) {
      if (err instanceof TemplateError) throw err;
      const e = err as Error & { lineNumber?: number; column?: number };
      const name = /^"(.*)" not defined in /.exec(e.message)?.[1];
      if (name !== undefined && e.lineNumber !== undefined)
        throw missing(e.lineNumber, paths().get(`${e.lineNumber}:${e.column}`) ?? name);
      // A helper's argument a.b with a undefined fails in the lookup itself, without a location.
      const part = /^Cannot read properties of (?:undefined|null) \(reading '(.*)'\)$/.exec(e.message)?.[1];
      const found = part === undefined ? undefined : [...paths()].find(([, p]) => p.split(".").includes(part));
      if (found) throw missing(found[0].split(":")[0], found[1]);
      // A syntax error's later lines draw the line with a caret: the first says what and where.
      throw new TemplateError(`template ${file}: ${e.message.split("\n")[0]}`);
    }
  };
}

/** What each path expression and helper call of a parsed template wrote, by "line:column". */
function pathsOf(ast: unknown): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (node: any): void => {
    if (!node || typeof node !== "object") return;
    const at = node.loc ? `${node.loc.start.line}:${node.loc.start.column}` : "";
    if (node.type === "PathExpression") found.set(at, node.original);
    if (node.type === "MustacheStatement" && node.params?.[0]?.original !== undefined)
      found.set(at, node.params[0].original);
    for (const v of Object.values(node)) walk(v);
  };
  walk(ast);
  return found;
}
