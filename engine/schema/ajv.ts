// The one ajv configuration every validator comes from: its options, the engine's own keywords,
// and the keywords resources bring with their schemas (a resource type lists them in `keywords`).
import { Ajv, type KeywordDefinition, type ValidateFunction } from "ajv";

let instance: Ajv | undefined;

// Built on the first compile, so a command that validates nothing never pays for ajv's set-up.
function shared(): Ajv {
  if (instance) return instance;
  // strictRequired/strictTypes would reject the conditional "required" that remove needs.
  // verbose: errors carry their schema, whose title, description and property names make better messages.
  instance = new Ajv({
    allErrors: true,
    verbose: true,
    // Our schemas are checked against the meta-schema by the test suite (spec/schema.spec.ts);
    // doing it again on every converge costs more than compiling them.
    validateSchema: false,
    useDefaults: true,
    strictSchema: true,
    strictRequired: false,
    strictTypes: false,
  });
  // Read by engine/secrets.ts: a value never quoted, a reference resolved at load.
  instance.addKeyword({ keyword: "sensitive", schemaType: "boolean" });
  // Read by engine/input/text.ts (which characters a value may hold) and the secret checks.
  instance.addKeyword({ keyword: "freeText", schemaType: "string" });
  return instance;
}

/**
 * The validator of `schema`, after adding any of `keywords` not yet known. ajv keeps what it
 * compiled by schema object, so asking again for the same schema compiles nothing.
 */
export function compileSchema<T = unknown>(
  schema: object,
  keywords: readonly KeywordDefinition[] = [],
): ValidateFunction<T> {
  const ajv = shared();
  for (const k of keywords) if (!ajv.getKeyword(k.keyword as string)) ajv.addKeyword(k);
  return ajv.compile<T>(schema);
}
