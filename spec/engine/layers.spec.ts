// The layers point one way: engine <- providers <- resources. The engine reaches resources only
// through the registry's map, the composition root that names every type's module. The backup
// resources and the job meet only in contract/ (config.yml's schema and the names it implies).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, test } from "vitest";

const ROOT = join(__dirname, "../..");

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );

describe("layers", () => {
  test("no engine module imports from providers/, backup/ or recipes/, nor from resources/ but the registry", () => {
    const upward = sources(join(ROOT, "engine")).flatMap((file) => {
      const rel = relative(ROOT, file);
      const imports = [...readFileSync(file, "utf8").matchAll(/from "([^"]+)"|import\("([^"]+)"\)/g)].map(
        (m) => m[1] ?? m[2],
      );
      return imports
        .filter(
          (i) => /\/(providers|backup|recipes)\//.test(i) || (rel !== "engine/registry.ts" && /\/resources\//.test(i)),
        )
        .map((i) => `${rel} imports ${i}`);
    });
    expect(upward).toEqual([]);
  });

  test("the backup resources and the job share only contract/: neither imports the other, nor does contract/", () => {
    /** Top-level directories `dir`'s modules import from, besides those allowed. */
    const crossing = (dir: string, allowed: string[]) =>
      sources(join(ROOT, dir)).flatMap((file) =>
        [...readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)"|import\("(\.[^"]+)"\)/g)]
          .map((m) => relative(ROOT, resolve(dirname(file), m[1] ?? m[2])).split("/")[0])
          .filter((top) => top !== dir && !allowed.includes(top))
          .map((top) => `${relative(ROOT, file)} imports from ${top}/`),
      );
    expect([
      ...crossing("resources", ["engine", "providers", "contract"]),
      ...crossing("backup", ["engine", "providers", "contract"]),
      ...crossing("contract", ["engine"]),
    ]).toEqual([]);
  });
});
