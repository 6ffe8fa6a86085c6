#!/usr/bin/env bash
# The README's first Quick start line: install what is missing, then run the demo end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# tsx's loader mishandles packages that export a "module-sync" entry (one is under s3rver) when
# Node 20 can require() ES modules; turning that off for this process avoids it.
exec node --no-experimental-require-module --import tsx scripts/demo.ts
