// Writes V8's code cache of the converge bundle (engine/code-cache.ts) after a representative
// start: `converge --validate` of the example run-list compiles what every converge runs before it
// changes anything (the CLI, the validators, the recipes' expansion, the secret checks, the
// templates and Handlebars' compiler), so a converge finds that code compiled, not only the
// bundle's top level; then every module a converge loads only when it needs it (the MySQL driver:
// its modules' top levels were about a seventh of a no-op of one backup). Run by
// scripts/bundle.mjs, its output discarded.
import { fileURLToPath } from "node:url";
import { loadBundle } from "../dist/engine/code-cache.js";

const root = fileURLToPath(new URL("..", import.meta.url));
// The example's secrets come from these variables: placeholders (no key's shape), long enough to pass the checks.
Object.assign(process.env, {
  BACKUP_S3_ACCESS_KEY_ID: "warm-up-placeholder-key-id",
  BACKUP_S3_SECRET_ACCESS_KEY: "warm-up-placeholder-secret",
  BACKUP_DB_PASSWORD: "warm-up-placeholder-password",
});
const bundle = loadBundle(`${root}dist/bundle/converge.cjs`);
const code = await bundle.exports.main([`${root}examples/backup.json`, "--validate"]);
if (code !== 0) throw new Error(`converge --validate examples/backup.json exited ${code}: no code cache written`);
await bundle.exports.preloadAll();
bundle.writeCache();
