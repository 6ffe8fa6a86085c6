#!/usr/bin/env node
// Thin launcher: the engine is bundled into dist/bundle/ by `npm ci` (the prepare script), and
// run with V8's code cache written beside it then (engine/code-cache.ts).
import { fileURLToPath } from "node:url";
import { loadBundle } from "../dist/engine/code-cache.js";

const { main } = loadBundle(fileURLToPath(new URL("../dist/bundle/converge.cjs", import.meta.url))).exports;
process.exitCode = await main(process.argv.slice(2));
