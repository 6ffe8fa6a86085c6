#!/usr/bin/env bash
# An S3 endpoint on loopback to try s3-backup against: `bash scripts/local-s3.sh --help`.
# Needs the clone's development packages (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# As in demo.sh: tsx's loader mishandles a "module-sync" export under s3rver when Node 20 can
# require() ES modules; turning that off for this process avoids it.
exec node --no-experimental-require-module --import tsx scripts/local-s3.ts "$@"
