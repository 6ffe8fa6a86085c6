// Writes schema/run-list.schema.json from the resource definitions (`npm run schema`).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SCHEMA_FILE } from "../paths.js";
import { allResourceTypes } from "../registry.js";
import { runListSchema } from "./run-list.js";

export async function renderSchema(): Promise<string> {
  return `${JSON.stringify(runListSchema(await allResourceTypes()), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(SCHEMA_FILE, await renderSchema());
