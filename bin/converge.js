#!/usr/bin/env node
// Thin launcher: the engine is compiled to dist/ by `npm ci` (the prepare script).
import { main } from "../dist/engine/cli.js";
process.exitCode = await main(process.argv.slice(2));
