#!/usr/bin/env node
// Thin launcher: the engine is bundled into dist/bundle/ by `npm ci` (the prepare script).
import { main } from "../dist/bundle/converge.js";
process.exitCode = await main(process.argv.slice(2));
