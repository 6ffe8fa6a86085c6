// The input readers' pure parts, property-checked: the strict JSON parser gives what JSON.parse
// gives wherever JSON.parse is right, the UTF-8 check agrees with the platform's decoder and names
// where a bad sequence starts, and the bounded reader refuses what is not a small regular file.
import fc from "fast-check";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../engine/errors.js";
import { MAX_DEPTH, parseStrictJson } from "../../engine/input/json.js";
import { decodeUtf8, readInputFile } from "../../engine/input/read.js";
import { lineProblem, printable, textProblems } from "../../engine/input/text.js";

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  return "accepted";
};

describe("strict JSON", () => {
  it("reads every JSON document as JSON.parse does, however it is spaced", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom(undefined, 2, "\t"), (value, space) => {
        const text = JSON.stringify(value, null, space);
        expect(parseStrictJson(text, "x")).toEqual(JSON.parse(text));
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses what JSON.parse refuses", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        if (!valid)
          expect(refusal(() => parseStrictJson(text, "x"))).toMatch(/^x: invalid JSON at line \d+, column \d+: /);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses a duplicate key and nesting beyond the limit, where they are", () => {
    expect(refusal(() => parseStrictJson('{"a": {"b": 1,\n  "b": 2}}', "f"))).toBe(
      'f: invalid JSON at line 2, column 3: duplicate key "b" in /a: JSON would silently keep only the last one',
    );
    const nested = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    expect(() => parseStrictJson(nested(MAX_DEPTH), "f")).not.toThrow();
    expect(refusal(() => parseStrictJson(nested(MAX_DEPTH + 1), "f"))).toBe(
      `f: invalid JSON at line 1, column ${MAX_DEPTH + 1}: nested deeper than ${MAX_DEPTH} levels`,
    );
  });

  it('keeps "__proto__" an ordinary key, as JSON.parse does', () => {
    const v = parseStrictJson('{"__proto__": {"polluted": true}}', "f") as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("UTF-8", () => {
  it("is refused exactly when the platform's strict decoder refuses it, at the first bad sequence", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        let strict: string | undefined;
        try {
          strict = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        } catch {
          strict = undefined;
        }
        const ours = refusal(() => decodeUtf8(bytes, "f"));
        if (strict !== undefined) {
          expect(ours).toBe("accepted");
          return;
        }
        const at = Number(/at offset (\d+)/.exec(ours)![1]);
        // Everything before the reported sequence is well-formed; the sequence that starts there is not.
        expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, at))).not.toThrow();
        expect(ours).toMatch(new RegExp(`^f: not valid UTF-8 \\(byte 0x${bytes[at].toString(16).padStart(2, "0")} at`));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("the bounded reader", () => {
  const dir = mkdtempSync(join(tmpdir(), "input-"));

  it("reads a small regular file and refuses a larger one, a directory and a device", () => {
    const small = join(dir, "small");
    writeFileSync(small, "héllo");
    expect(readInputFile(small).text).toBe("héllo");
    expect(refusal(() => readInputFile(small, 5))).toBe(`${small}: 6 bytes, more than the limit of 5`);
    expect(refusal(() => readInputFile(dir))).toBe(`${dir}: not a regular file (a directory)`);
    expect(refusal(() => readInputFile("/dev/null"))).toBe("/dev/null: not a regular file (a character device)");
    expect(refusal(() => readInputFile(join(dir, "none")))).toBe(`${join(dir, "none")}: cannot read (ENOENT)`);
  });

  it("reads to the end whatever the size said: a /proc file says 0, and the limit holds past it", () => {
    const maps = readInputFile("/proc/self/maps").text;
    expect(maps.split("\n").length).toBeGreaterThan(20);
    expect(maps).toMatch(/\n$/);
    expect(refusal(() => readInputFile("/proc/self/maps", 100))).toBe(
      "/proc/self/maps: more than the limit of 100 bytes",
    );
    const exact = join(dir, "exact");
    writeFileSync(exact, "x".repeat(64 * 1024 + 1));
    expect(readInputFile(exact).text.length).toBe(64 * 1024 + 1);
  });
});

describe("characters", () => {
  it("refuses control characters in one-line values, giving the position only when not secret", () => {
    expect(lineProblem("a\u0085b")).toBe("must not contain control characters (U+0085 at character 2)");
    expect(lineProblem("a\tb", true)).toBe("must not contain control characters (U+0009)");
    expect(lineProblem("plain ünïcode 💥")).toBeUndefined();
  });

  it("lets free text span lines but still refuses a lone surrogate, keys included", () => {
    const schema = { properties: { content: { freeText: "multiline" as const }, name: {} } };
    expect(textProblems({ content: "a\nb\tc", name: "x" }, schema)).toEqual([]);
    expect(textProblems({ content: "\ud800", name: "x\ny", "k\u0000": 1 }, schema).map((p) => p.path)).toEqual([
      "/content",
      "/name",
      "/k\u0000",
    ]);
  });

  it("shows control characters as escapes, keeping tabs", () => {
    expect(printable("a\u001b[2J\tb\r\n\u009b")).toBe("a\\u001b[2J\tb\\r\\n\\u009b");
  });
});
