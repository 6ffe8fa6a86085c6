// Every validator the commands use, compiled at build time into one ES module (ajv's standalone
// code): scripts/bundle.mjs puts it in place of engine/schema/precompiled.ts, so a command checks
// its input without loading ajv's compiler or compiling a schema at start-up. Reads the schemas
// from tsc's output (dist/), so it runs after tsc. The names are the ones the callers ask
// engine/schema/ajv.ts's validator() for; a name missing here fails that call loudly.
import { Ajv } from "ajv";
import standalone from "ajv/dist/standalone/index.js";

const dist = new URL("../dist/", import.meta.url);
const load = (path) => import(new URL(path, dist).href);

/** The generated module's source; its imports are relative to the project root. */
export async function precompiledSource() {
  const { newAjv, addKeywords, RUNTIME_IMPORTS } = await load("engine/schema/ajv.js");
  const { envelopeSchema, entrySchema } = await load("engine/schema/run-list.js");
  const { allResourceTypes } = await load("engine/registry.js");
  const { backupConfigSchema } = await load("contract/config-schema.js");
  const { manifestSchema } = await load("backup/manifest-schema.js");

  const named = [
    ["run-list", envelopeSchema],
    ...(await allResourceTypes()).map((t) => [`resource:${t.type}`, entrySchema(t), t.keywords]),
    ["config.yml", backupConfigSchema],
    ["manifest", manifestSchema],
  ];
  const ajv = newAjv(Ajv, { code: { source: true, esm: true } });
  const exports = {};
  for (const [i, [name, schema, keywords = []]] of named.entries()) {
    addKeywords(ajv, keywords);
    ajv.addSchema(schema, name);
    exports[`validate_${i}`] = name;
  }
  const code = standalone.default(ajv, exports);
  // After compiling: the keywords' code registers the functions it calls as it is generated.
  const imports = [...RUNTIME_IMPORTS].map(
    ([alias, { module, name }]) => `import { ${name} as ${alias} } from "./${module}";`,
  );
  const table = Object.entries(exports).map(([id, name]) => `  ${JSON.stringify(name)}: ${id},`);
  return [
    ...imports,
    code,
    `export const precompiled = { complete: true, validators: {\n${table.join("\n")}\n} };`,
    "",
  ].join("\n");
}
