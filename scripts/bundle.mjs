// Bundles each command (dist/bundle/converge.cjs, dist/bundle/s3-backup.js) so Node reads and
// compiles a few files at start-up instead of hundreds. Runs after tsc (`npm run build`), which
// still typechecks, writes the recipe API's .d.ts, the compiled shipped recipes and
// dist/engine/code-cache.js, used here.
//
// - converge: one CommonJS file, with V8's code cache for it beside it (converge.cjs.cache,
//   engine/code-cache.ts, written by scripts/warm-code-cache.mjs). Nearly every converge loads mysql2, Handlebars, yaml and the
//   validators, so nothing is gained by leaving them out, and Node 20 can cache the compiled code
//   of a script, not of an ES module: this start costs about a quarter less than an ES module
//   bundle split into chunks.
// - s3-backup: ESM with splitting: what it imports dynamically (the AWS SDK, mysql2) stays in
//   chunks of its own, loaded only by the subcommands that need them (spec/backup/startup.spec.ts).
// - tsx stays external: it is a loader for user recipes written in TypeScript, used only then.
// - CommonJS packages in an ESM bundle call require() for Node's built-ins: the banner gives them one.
// - Source maps sit beside the bundles (not inlined, so they cost nothing unless asked for):
//   NODE_OPTIONS=--enable-source-maps makes a stack trace name the TypeScript source.
// - The validators are compiled here, ahead of time (scripts/validators.mjs): the generated module
//   takes the place of engine/schema/precompiled.ts, so no command compiles a schema when it runs.
//   The shipped templates likewise (scripts/templates.mjs, providers/files/precompiled-templates.ts).
// - The bundles live in dist/, so paths found from import.meta.url (engine/paths.ts walks up to
//   package.json) still reach templates/, schema/ and dist/recipes/; in the CommonJS bundle
//   import.meta.url is the bundle's own file URL.
import { build, transform } from "esbuild";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { precompiledTemplatesSource } from "./templates.mjs";
import { precompiledSource } from "./validators.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });
// Minified: about 370 KB of generated code that Node parses at every start, read by no one.
const { code: validators } = await transform(await precompiledSource(), { minify: true, format: "esm" });
const templates = await precompiledTemplatesSource();
// mysql2's table of about 4,000 error names by number and number by name, filled at every start
// (about 25 ms of a no-op) and read only when the server sends an error: filled then, instead.
const lazyErrors = `let table;
const names = () => (table ??= require("mysql2-error-table"));
module.exports = new Proxy({}, {
  get: (_, key) => names()[key],
  has: (_, key) => key in names(),
  ownKeys: () => Reflect.ownKeys(names()),
  getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(names(), key),
});`;
// Modules whose contents the build puts in place of the sources': the validators and the shipped
// templates compiled ahead of time, and import() of a recipe or tsx through the function
// engine/code-cache.ts passes the converge bundle (engine/import-external.ts; loaded by Node's
// own require, as a spec does, the bundle's import() works as it is), and mysql2's error table, filled on first use.
const generated = [
  [/[\\/]engine[\\/]schema[\\/]precompiled\.ts$/, validators],
  [/[\\/]providers[\\/]files[\\/]precompiled-templates\.ts$/, templates],
  [
    /[\\/]engine[\\/]import-external\.ts$/,
    'export const importExternal = typeof __importExternal === "function" ? __importExternal : (s) => import(s);',
  ],
  [/[\\/]node_modules[\\/]mysql2[\\/]lib[\\/]constants[\\/]errors\.js$/, lazyErrors],
];
const precompiled = {
  name: "precompiled",
  setup(b) {
    for (const [filter, contents] of generated)
      b.onLoad({ filter }, () => ({ contents, loader: "js", resolveDir: root }));
    // The table itself, as the package has it, under a name of its own.
    b.onResolve({ filter: /^mysql2-error-table$/ }, () => ({
      path: "node_modules/mysql2/lib/constants/errors.js",
      namespace: "mysql2-error-table",
    }));
    b.onLoad({ filter: /.*/, namespace: "mysql2-error-table" }, ({ path }) => ({
      contents: readFileSync(`${root}${path}`, "utf8"),
      loader: "js",
    }));
  },
};
const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  platform: "node",
  target: "node20",
  external: ["tsx", "tsx/*"],
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
  plugins: [precompiled],
};
const converge = await build({
  ...common,
  entryPoints: { converge: "engine/cli.ts" },
  format: "cjs",
  outExtension: { ".js": ".cjs" },
  define: { "import.meta.url": "__bundleUrl" },
  banner: { js: 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
});
const backup = await build({
  ...common,
  entryPoints: { "s3-backup": "backup/cli.ts" },
  splitting: true,
  format: "esm",
  chunkNames: "chunks/[name]-[hash]",
  banner: {
    js: 'import { createRequire as __bundleRequire } from "node:module"; const require = __bundleRequire(import.meta.url);',
  },
});

execFileSync(process.execPath, [`${root}scripts/warm-code-cache.mjs`], { stdio: ["ignore", "ignore", "inherit"] });

// Which npm packages each output file holds, by path from the project root: spec/backup/startup.spec.ts reads
// it to tell what a command loaded (a chunk of the AWS SDK has no node_modules in its name).
const packages = {};
for (const [out, { inputs }] of [converge, backup].flatMap((b) => Object.entries(b.metafile.outputs))) {
  const held = Object.keys(inputs).flatMap((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? []);
  if (/\.c?js$/.test(out)) packages[out] = [...new Set(held)].sort();
}
writeFileSync(`${outdir}/packages.json`, `${JSON.stringify(packages, null, 1)}\n`);
