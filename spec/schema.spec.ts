// schema/run-list.schema.json is generated from the resource definitions; editors use it, so it
// must match them and accept the shipped examples.
import { Ajv } from "ajv";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, SCHEMA_FILE } from "../engine/paths.js";
import { renderSchema } from "../scripts/write-schema.js";

describe("schema/run-list.schema.json", () => {
  it("is current with the resource definitions (run `npm run schema` after changing one)", async () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(await renderSchema());
  });

  it("accepts every example run-list and rejects an unknown property, as an editor would", () => {
    // An editor knows nothing of our keywords: declare them as annotations only.
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")));
    const examples = readdirSync(join(PROJECT_ROOT, "examples")).filter((f) => f.endsWith(".json"));
    expect(examples.length).toBeGreaterThan(0);
    for (const f of examples) {
      const doc = JSON.parse(readFileSync(join(PROJECT_ROOT, "examples", f), "utf8"));
      expect(validate(doc), `${f}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    expect(validate({ run_list: [{ type: "cron_entry", name: "x", properties: { command: "true", bogus: 1 } }] })).toBe(
      false,
    );
  });
});
