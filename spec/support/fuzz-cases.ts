// Generated inputs for the validator fuzz (spec/engine/validator-fuzz.spec.ts): run-lists and
// config.yml files as bytes, mixing valid ones, near misses and hostile ones (wrong types, unknown
// keys, control characters, hostile names, huge or deep values, duplicate keys, bytes that are not
// UTF-8). Each starts from a valid document, so that most cases get past the first check.
import fc from "fast-check";
import { stringify } from "yaml";

/** Files the cases refer to, made by the driver in its work directory. */
export interface Fixtures {
  /** A template that needs variable "a". */
  template: string;
  /** A template with a syntax error. */
  brokenTemplate: string;
  /** A FIFO, a 0600 secret file, a world-readable one. */
  fifo: string;
  secretFile: string;
  openSecretFile: string;
}

/** Environment variables the cases' {"env"} references name; the driver sets the first two. */
export const ENV = { FUZZ_SECRET: "fuzz-secret-value-0451", FUZZ_KEY_ID: "AKIAFUZZKEYID0001" };

const HOSTILE_STRINGS = [
  "",
  "*",
  "?",
  "${aws:username}",
  "$(touch /root/fuzz-pwned)",
  "`id`",
  "-rf",
  "--no-data",
  "shop --no-data",
  "../../etc/passwd",
  "/etc/passwd",
  "a:b",
  "50%",
  "a b",
  "x\u0000y",
  "x\ny",
  "x\ry",
  "\u001b[2J",
  "\u009b31m",
  "\u2028",
  "\ud800",
  "é",
  "💥",
  "[object Object]",
  "__proto__",
  "constructor",
  "recipe[s3_backup::file]",
  "recipe[../../x]",
  "x".repeat(5000),
];

const oneOfStrings = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 20, unit: "binary" }));
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  oneOfStrings,
  fc.constantFrom(null, true, 0, -1, 1e300, 2 ** 53, [], {}),
);

/** Mostly `valid`, now and then one of `others`. */
function mostly<T>(valid: T, ...others: T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 10, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: fc.constantFrom(...others) });
}

const secretRef = (fx: Fixtures) =>
  mostly<unknown>(
    { env: "FUZZ_SECRET" },
    { env: "FUZZ_UNSET" },
    { env: "" },
    { file: fx.secretFile },
    { file: fx.openSecretFile },
    { file: fx.fifo },
    { file: "/dev/zero" },
    { file: "/nonexistent" },
    { file: "relative" },
    "literal-secret-value-1",
    "short",
  );

const s3 = (fx: Fixtures) =>
  fc.record({
    bucket: mostly("fuzz-bucket", "b", "Fuzz_Bucket"),
    region: fc.constantFrom("eu-west-1", "us-east-1"),
    prefix: mostly("web1/", "", "a/b/", "*", "${aws:username}/"),
    access_key_id: fc.constant<unknown>({ env: "FUZZ_KEY_ID" }),
    secret_access_key: secretRef(fx),
  });

/** One valid-looking run-list entry of each kind. */
const entries = (fx: Fixtures) =>
  fc.oneof(
    fc.record({
      type: fc.constant("s3_file_backup"),
      name: fc.constantFrom("site", "www-1", "a.b"),
      properties: fc.record(
        {
          assets: mostly(["/var/www"], ["/etc", "/srv/x"], ["/var/lib"], ["/var/lib/backup_site/x"]),
          s3: s3(fx),
          cron: mostly<Record<string, string>>({ minute: "15", hour: "2" }, {}, { minute: "61" }),
          home: mostly("/var/lib/backup_site", "/srv/bk space", "/srv/bk%x", "/srv/$(id)", "/srv/a:b"),
          mailto: mostly("ops@example.com", "", "a b"),
        },
        { requiredKeys: ["assets", "s3"] },
      ),
    }),
    fc.record({
      type: fc.constant("s3_mysql_backup"),
      name: fc.constantFrom("shop", "db"),
      properties: fc.record({
        mysql: fc.record({ password: secretRef(fx) }),
        databases: mostly(["shop", "shop orders", "wp_%"], ["shop --no-data"], ["-x"], ["a.b"]),
        s3: s3(fx),
      }),
    }),
    fc.record({
      type: fc.constant("template_file"),
      name: fc.constantFrom("/etc/fuzz.conf", "/etc/motd"),
      properties: fc.oneof(
        fc.record({ content: fc.string({ maxLength: 40 }), mode: fc.constantFrom("0644", "0600") }),
        fc.record({
          source: mostly(fx.template, fx.brokenTemplate, fx.fifo, "missing.hbs", "/dev/zero", "/etc/hostname"),
          variables: mostly<unknown>({ a: { b: [1] } }, {}, { a: 1 }),
        }),
      ),
    }),
    fc.record({
      type: fc.constant("cron_entry"),
      name: fc.constantFrom("rotate", "x y"),
      properties: fc.record({
        minute: mostly("*/5", "61", "1-"),
        command: mostly("/usr/sbin/logrotate /etc/logrotate.conf", "echo 50\\%", "a\u0000b"),
        environment: mostly<Record<string, string>>({ K: "v" }, {}, { MAILTO: "x" }, { "A B": "x" }),
      }),
    }),
    fc.record({
      type: fc.constant("system_user"),
      name: mostly("svc", "Svc", "-svc"),
      properties: fc.record({ home: mostly("/srv/svc", "/srv/a:b"), uid: mostly(1500, -1) }),
    }),
    fc.record({
      type: fc.constant("mysql_user"),
      name: fc.constantFrom("reporter"),
      properties: fc.record({ password: secretRef(fx), databases: mostly(["shop"], ["*"]) }),
    }),
    fc.constantFrom("recipe[s3_backup::file]", "recipe[s3_backup]", "recipe[nope::x]", "recipe[s3_backup::mysql]"),
  );

/** Replaces the value at a random path of a JSON value by `replacement` (in a copy). */
function replaceSomewhere(doc: unknown, choice: number, replacement: unknown): unknown {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (v && typeof v === "object")
      for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? +k : k]);
  };
  walk(doc, []);
  const path = paths[choice % paths.length];
  if (path.length === 0) return replacement;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let holder = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) holder = holder[k] as Record<string | number, unknown>;
  holder[path[path.length - 1]] = replacement;
  return copy;
}

type Hurt = (b: Buffer) => Buffer;
const latin1 =
  (f: (text: string) => string): Hurt =>
  (b) =>
    Buffer.from(f(b.toString("latin1")), "latin1");

/** Damage to a document's bytes; most documents get none. */
function damage(...specific: fc.Arbitrary<Hurt>[]): fc.Arbitrary<Hurt> {
  return fc.oneof(
    { weight: 3 * (4 + specific.length), arbitrary: fc.constant((b: Buffer) => b) },
    // Bytes that are not UTF-8, somewhere.
    fc.nat().map(
      (n): Hurt =>
        (b) => {
          const at = n % (b.length + 1);
          return Buffer.concat([b.subarray(0, at), Buffer.from([0xff, 0xc3]), b.subarray(at)]);
        },
    ),
    fc.nat().map(
      (n): Hurt =>
        (b) =>
          b.subarray(0, n % (b.length + 1)),
    ),
    fc.constant((b: Buffer) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b])),
    fc.uint8Array({ maxLength: 64 }).map(
      (bytes): Hurt =>
        () =>
          Buffer.from(bytes),
    ),
    ...specific,
  );
}

/** A value put somewhere in a document, in one case of four. */
const mutation = fc.oneof(
  { weight: 3, arbitrary: fc.constant((d: unknown) => d) },
  fc.tuple(fc.nat(), anyJson).map(
    ([where, value]) =>
      (d: unknown) =>
        replaceSomewhere(d, where, value),
  ),
);

/** Run-lists as the bytes of a file. */
export function runListCases(fx: Fixtures): fc.Arbitrary<Buffer> {
  const doc = fc.record(
    {
      run_list: fc.array(entries(fx), { minLength: 1, maxLength: 3 }),
      attributes: fc.constantFrom<unknown>(
        {},
        { s3_backup: { file: { site: { assets: ["/srv"], s3: { bucket: "fuzz-bucket" } } } } },
        { motd: { message: "hi" } },
      ),
    },
    { requiredKeys: ["run_list"] },
  );
  const jsonDamage = damage(
    fc.constant(latin1((t) => t.replace("{", '{"run_list": [], '))),
    fc.constant(latin1((t) => t.replace('"properties":{', '"properties":{"mode":"0600","mode":"0600",'))),
    fc.nat(12_000).map(
      (n): Hurt =>
        () =>
          Buffer.from(`{"run_list": ${"[".repeat(n)}${"]".repeat(n)}}`),
    ),
  );
  return fc
    .tuple(doc, mutation, jsonDamage)
    .map(([d, mutate, hurt]) => hurt(Buffer.from(JSON.stringify(mutate(d)) ?? "null")));
}

/** config.yml files as bytes: as converge writes them, and then some. Deep ones are among EXTREME_CONFIGS. */
export function configCases(): fc.Arbitrary<Buffer> {
  const config = fc.record(
    {
      name: mostly("shop", "a--b", "x y"),
      host: mostly("web1", "-web"),
      state_dir: mostly("/var/lib/backup_shop", "relative"),
      compression: mostly("zstd", "lz4"),
      s3: fc.record({
        bucket: fc.constant("fuzz-bucket"),
        region: fc.constant("eu-west-1"),
        prefix: mostly("web1/", "*", "${aws:username}/", "a//b/"),
        access_key_id: fc.constant("AKIAFUZZKEYID0001"),
        secret_access_key: fc.constant("fuzz-secret-value-0451"),
      }),
      retention: mostly<unknown>({ daily_days: 7 }, { daily_days: "seven" }),
      assets: mostly(["/var/www"], ["relative"], ["/a\u0000b"]),
      mysql: fc.record({
        defaults_file: fc.constant("/var/lib/backup_shop/.my.cnf"),
        databases: mostly(["shop", "wp_%"], ["shop --no-data"], ["-x"]),
      }),
    },
    { requiredKeys: ["name", "s3"] },
  );
  const yamlDamage = damage(
    fc.constant(latin1((t) => `${t}name: again\n`)),
    fc.constant(latin1((t) => `a: &a [x, x, x]\nb: [*a, *a, *a]\n${t}`)),
    fc.constant(latin1((t) => `${t}---\nname: second\n`)),
    fc.constant(latin1((t) => `x: !!binary aGVsbG8=\n${t}`)),
    fc.constant(latin1((t) => `${t}${"  ".repeat(40)}deep: 1\n`)),
    fc.nat(60).map((n): Hurt => latin1((t) => `${t}x: ${"[".repeat(n)}${"]".repeat(n)}\n`)),
  );
  return fc.tuple(config, mutation, yamlDamage).map(([c, mutate, hurt]) => hurt(Buffer.from(stringify(mutate(c)))));
}

const laughs = Array.from({ length: 9 }, (_, i) =>
  i === 0
    ? "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"
    : `l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(", ")}]`,
).join("\n");

/** Run-lists that take the longest ways to fail, each run once per fuzz run (besides FIFOs and devices). */
export const EXTREME_RUN_LISTS: Buffer[] = [
  Buffer.from(`{"run_list": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`),
  Buffer.from(`{"run_list": [], "attributes": {"x": "${"a".repeat(1024 * 1024)}"}}`),
  Buffer.from(
    `{"run_list": [], "attributes": {${Array.from({ length: 20_000 }, (_, i) => `"k${i}": ${i}`).join(", ")}}}`,
  ),
];

/** config.yml files that take the longest ways to fail: deep nesting, an alias bomb, size. */
export const EXTREME_CONFIGS: Buffer[] = [
  Buffer.from(`name: ${"[".repeat(1000)}${"]".repeat(1000)}\n`),
  Buffer.from(`name: ${"[".repeat(30_000)}${"]".repeat(30_000)}\n`),
  Buffer.from(`${Array.from({ length: 2000 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n")} 1\n`.slice(0, 60_000)),
  Buffer.from(`${laughs}\nname: shop\n`),
  Buffer.from(`name: shop\nx: "${"a".repeat(70 * 1024)}"\n`),
];
