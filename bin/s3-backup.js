#!/usr/bin/env node
// Thin launcher: the job is compiled to dist/ by `npm ci` (the prepare script).
import { main } from "../dist/backup/cli.js";
process.exitCode = await main(process.argv.slice(2));
