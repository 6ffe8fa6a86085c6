#!/usr/bin/env bash
# The README's first Quick start line: install what is missing, then run the demo end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
exec npx tsx scripts/demo.ts
