// The README's resource tables are the user's reference: held to the resource schemas, so a
// property added, renamed or given another default cannot leave them behind.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../engine/paths.js";
import { allResourceTypes } from "../engine/registry.js";
import { commonProperties } from "../resources/backup/common.js";

type Node = { properties?: Record<string, Node>; default?: unknown };

const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");

/** The rows of the table whose header row starts with `header`, by their first cell. */
function table(header: string): Map<string, string> {
  const start = readme.indexOf(`\n| ${header} |`);
  expect(start, `README.md has a table headed "${header}"`).toBeGreaterThan(0);
  const rows = readme.slice(start + 1).split("\n");
  const body = rows.slice(
    2,
    rows.findIndex((r, i) => i > 0 && !r.startsWith("|")),
  );
  return new Map(body.map((r) => [r.split(" | ")[0].replace(/^\| /, ""), r]));
}

/** The names a row gives in backticks; "`a` ... `d`" stands for every key from a to d in `keys`' order. */
function named(row: string, keys: string[]): Set<string> {
  const words = new Set([...row.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
  for (const [, from, to] of row.matchAll(/`([^`]+)` \.\.\. `([^`]+)`/g))
    keys.slice(keys.indexOf(from), keys.indexOf(to) + 1).forEach((k) => words.add(k));
  return words;
}

/** Problems: a property (at any depth) the row does not name, or a scalar default it does not state. */
function unlisted(row: string, props: Record<string, Node>, at = ""): string[] {
  const words = named(row, Object.keys(props));
  return Object.entries(props).flatMap(([k, s]) => [
    ...(words.has(k) ? [] : [`${at}${k} is not named`]),
    ...(["string", "number", "boolean"].includes(typeof s.default) && !row.includes(String(s.default))
      ? [`${at}${k}'s default ${String(s.default)} is not given`]
      : []),
    ...(s.properties ? unlisted(row, s.properties, `${at}${k}.`) : []),
  ]);
}

describe("README.md's resource tables", () => {
  it("have a row for every resource type, naming each property and its default", async () => {
    const rows = table("type (name is)");
    const backup = table("property");
    const common = Object.keys(commonProperties);
    const problems: string[] = [];
    for (const def of await allResourceTypes()) {
      const key = [...rows.keys()].find((k) => k.startsWith(`\`${def.type}\``));
      expect(key, `a row for ${def.type}`).toBeDefined();
      const own = Object.fromEntries(
        Object.entries(def.schema.properties as Record<string, Node>).filter(
          ([k]) => !(def.type.startsWith("s3_") && common.includes(k)),
        ),
      );
      problems.push(...unlisted(rows.get(key!)!, own, `${def.type}: `));
    }
    // The properties both backup types share have a table of their own, a row per property.
    for (const [k, s] of Object.entries(commonProperties as Record<string, Node>)) {
      const row = [...backup.entries()].find(([first]) => named(first, []).has(k))?.[1];
      expect(row, `a row for the backup property ${k}`).toBeDefined();
      problems.push(...unlisted(row!, { [k]: s }, "backup properties: "));
    }
    expect(problems).toEqual([]);
  });
});
