#!/usr/bin/env node
// Thin launcher: the job is bundled into dist/bundle/ by `npm ci` (the prepare script).
// The AWS SDK warns (8 lines on stderr) that its future releases need a newer Node. cron's script
// already silences it; operators running restore or verify by hand should not see it either. It
// is read when the SDK loads, hence set before a dynamic import (static ones would run first).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { main } = await import("../dist/bundle/s3-backup.js");
process.exitCode = await main(process.argv.slice(2));
