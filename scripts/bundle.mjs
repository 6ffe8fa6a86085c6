// Bundles each command into one file (dist/bundle/converge.js, dist/bundle/s3-backup.js) so Node
// reads and compiles a few files at start-up instead of hundreds. Runs after tsc (`npm run build`),
// which still typechecks, writes the recipe API's .d.ts and the compiled shipped recipes.
//
// - ESM with splitting: what the commands import dynamically (the AWS SDK, mysql2, each resource
//   type) stays in chunks of its own, loaded only by the command that needs it.
// - tsx stays external: it is a loader for user recipes written in TypeScript, used only then.
// - CommonJS packages in an ESM bundle call require() for Node's built-ins: the banner gives them one.
// - Source maps sit beside the bundles (not inlined, so they cost nothing unless asked for):
//   NODE_OPTIONS=--enable-source-maps makes a stack trace name the TypeScript source.
// - The validators are compiled here, ahead of time (scripts/validators.mjs): the generated module
//   takes the place of engine/schema/precompiled.ts, so no command compiles a schema when it runs.
// - The bundles live in dist/, so paths found from import.meta.url (engine/paths.ts walks up to
//   package.json) still reach templates/, schema/ and dist/recipes/.
import { build, transform } from "esbuild";
import { rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { precompiledSource } from "./validators.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });
// Minified: about 370 KB of generated code that Node parses at every start, read by no one.
const { code: validators } = await transform(await precompiledSource(), { minify: true, format: "esm" });
const precompiled = {
  name: "precompiled-validators",
  setup(b) {
    b.onLoad({ filter: /[\\/]engine[\\/]schema[\\/]precompiled\.ts$/ }, () => ({
      contents: validators,
      loader: "js",
      resolveDir: root,
    }));
  },
};
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: { converge: "engine/cli.ts", "s3-backup": "backup/cli.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["tsx", "tsx/*"],
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
  plugins: [precompiled],
  banner: {
    js: 'import { createRequire as __bundleRequire } from "node:module"; const require = __bundleRequire(import.meta.url);',
  },
});

// Which npm packages each output file holds, by path from the project root: spec/backup/startup.spec.ts reads
// it to tell what a command loaded (a chunk of the AWS SDK has no node_modules in its name).
const packages = {};
for (const [out, { inputs }] of Object.entries(metafile.outputs)) {
  const held = Object.keys(inputs).flatMap((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? []);
  if (out.endsWith(".js")) packages[out] = [...new Set(held)].sort();
}
writeFileSync(`${outdir}/packages.json`, `${JSON.stringify(packages, null, 1)}\n`);
