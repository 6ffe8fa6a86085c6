// JSON read strictly: JSON.parse keeps the last of two equal keys without a word (a second
// "run_list" would silently replace the first) and overflows the stack on a deeply nested
// document. This parser refuses both, naming the line, column and JSON path, and otherwise gives
// exactly what JSON.parse gives (strings and numbers are decoded by JSON.parse itself).
import { InputError } from "../errors.js";

/** Containers (objects and arrays) inside each other; a run-list needs about ten. */
export const MAX_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS: [string, unknown][] = [
  ["true", true],
  ["false", false],
  ["null", null],
];

/** The value of the JSON text; throws InputError (one line, starting with `where`) on anything JSON.parse would refuse, a duplicate key or nesting deeper than MAX_DEPTH. */
export function parseStrictJson(text: string, where: string): unknown {
  return new Parser(text, where).document();
}

class Parser {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly where: string,
  ) {}

  document(): unknown {
    const value = this.value("", 0);
    this.blank();
    if (this.i < this.text.length) this.fail("unexpected text after the document");
    return value;
  }

  private value(path: string, depth: number): unknown {
    this.blank();
    const c = this.text[this.i];
    if (c === "{" || c === "[") {
      if (depth >= MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
      return c === "{" ? this.object(path, depth + 1) : this.array(path, depth + 1);
    }
    if (c === '"') return this.string();
    for (const [word, v] of LITERALS) if (this.text.startsWith(word, this.i)) return ((this.i += word.length), v);
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (m) return ((this.i += m[0].length), Number(m[0]));
    return this.fail(c === undefined ? "unexpected end of the document" : `unexpected ${JSON.stringify(c)}`);
  }

  private object(path: string, depth: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    this.i++;
    this.blank();
    if (this.eat("}")) return obj;
    do {
      this.blank();
      if (this.text[this.i] !== '"') this.fail("expected a key in double quotes");
      const at = this.i;
      const key = this.string();
      const here = `${path}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      if (Object.hasOwn(obj, key)) {
        this.i = at;
        this.fail(`duplicate key ${JSON.stringify(key)} in ${path || "/"}: JSON would silently keep only the last one`);
      }
      this.blank();
      if (!this.eat(":")) this.fail("expected ':' after the key");
      // As JSON.parse does: "__proto__" becomes an own property, never the object's prototype.
      Object.defineProperty(obj, key, {
        value: this.value(here, depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.blank();
    } while (this.eat(","));
    if (!this.eat("}")) this.fail("expected ',' or '}'");
    return obj;
  }

  private array(path: string, depth: number): unknown[] {
    const arr: unknown[] = [];
    this.i++;
    this.blank();
    if (this.eat("]")) return arr;
    do arr.push(this.value(`${path}/${arr.length}`, depth));
    while ((this.blank(), this.eat(",")));
    if (!this.eat("]")) this.fail("expected ',' or ']'");
    return arr;
  }

  private string(): string {
    const start = this.i;
    for (this.i++; this.i < this.text.length; this.i++) {
      const c = this.text.charCodeAt(this.i);
      if (c === 0x22) break;
      if (c === 0x5c) this.i++;
      else if (c < 0x20) this.fail("a control character inside a string (write it as an escape, e.g. \\n)");
    }
    if (this.i >= this.text.length) {
      this.i = start;
      this.fail("a string that is never closed");
    }
    this.i++;
    try {
      return JSON.parse(this.text.slice(start, this.i)) as string;
    } catch {
      this.i = start;
      return this.fail("a string with an invalid escape");
    }
  }

  private blank(): void {
    while (" \t\n\r".includes(this.text[this.i] ?? "x")) this.i++;
  }

  private eat(c: string): boolean {
    if (this.text[this.i] !== c) return false;
    this.i++;
    return true;
  }

  private fail(what: string): never {
    const before = this.text.slice(0, this.i);
    const line = before.split("\n").length;
    const column = this.i - before.lastIndexOf("\n");
    throw new InputError([`${this.where}: invalid JSON at line ${line}, column ${column}: ${what}`]);
  }
}
