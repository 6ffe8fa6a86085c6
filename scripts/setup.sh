#!/usr/bin/env bash
# Installs what a fresh Debian 12 or 13 machine lacks for this project, then its npm packages and
# build, saying what it installs as it goes. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node.js >= 20 and npm first: everything below runs on them.
bash scripts/node.sh
hash -r

# Debian packages: programs the engine drives (crontab, useradd), the backup job runs (tar, zstd,
# mysqldump), and for the demo and the tests: a MariaDB server; socat (the syslog test's listener);
# node_exporter and promtool (which comes only with the prometheus package: about 25 MB to fetch,
# 110 MB installed; nothing of it is started); and a single-node Ceph (monitor, OSD, S3 gateway)
# for the tests that need a store enforcing policies, Object Lock and lifecycle.
need=()
for pair in crontab:cron mariadbd:mariadb-server mariadb:mariadb-client zstd:zstd tar:tar unshare:util-linux useradd:passwd logger:bsdutils socat:socat \
  prometheus-node-exporter:prometheus-node-exporter promtool:prometheus \
  radosgw:radosgw ceph-mon:ceph-mon ceph-osd:ceph-osd ceph:ceph-common; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]} (apt-get, about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # -q, not -qq: one line per package fetched, unpacked and set up, so a slow mirror shows.
  apt-get install -y -q --no-install-recommends "${need[@]}" | { grep -E '^(Get:|Unpacking|Setting up)' || true; }
fi

# npm packages exactly as locked; `npm ci` also compiles (the prepare script).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages as locked (npm ci), then compiling"
  npm ci --no-audit --no-fund
else
  npm run --silent build
fi
