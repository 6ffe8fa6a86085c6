#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for this project, then its npm packages and build.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: programs the engine drives (crontab, useradd), the backup job runs (tar, zstd,
# mysqldump), a MariaDB server for the demo and the tests, and a single-node Ceph (monitor, OSD,
# S3 gateway) for the tests that need a store enforcing policies, Object Lock and lifecycle.
need=()
for pair in crontab:cron mariadbd:mariadb-server mariadb:mariadb-client zstd:zstd tar:tar unshare:util-linux useradd:passwd logger:bsdutils \
  radosgw:radosgw ceph-mon:ceph-mon ceph-osd:ceph-osd ceph:ceph-common; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm packages exactly as locked; `npm ci` also compiles (the prepare script).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm run --silent build
fi
