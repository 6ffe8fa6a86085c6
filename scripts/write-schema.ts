// Writes schema/run-list.schema.json from the resource definitions (`npm run schema`). A
// development script: it runs from the sources through tsx and is not shipped in dist/.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SCHEMA_FILE } from "../engine/paths.js";
import { allResourceTypes } from "../engine/registry.js";
import { runListSchema } from "../engine/schema/run-list.js";

/** The run-list schema's file contents, as `npm run schema` writes them. */
export async function renderSchema(): Promise<string> {
  return `${JSON.stringify(runListSchema(await allResourceTypes()), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(SCHEMA_FILE, await renderSchema());
