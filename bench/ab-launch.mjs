// Runs the converge bundle named first, with the code cache beside it, on the arguments after it
// (bench/ab-noop.ts): what bin/converge.js does for dist/bundle/converge.cjs.
import { loadBundle } from "../dist/engine/code-cache.js";

const [bundle, ...args] = process.argv.slice(2);
process.exitCode = await loadBundle(bundle).exports.main(args);
