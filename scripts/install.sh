#!/usr/bin/env bash
# Installs converge and s3-backup for every user: this clone's package (what `npm pack` makes of
# it) with its runtime dependencies exactly as locked, in PREFIX/lib/s3-converge, owned by root and
# readable by all (the backup users run the job from there), linked as PREFIX/bin/converge and
# PREFIX/bin/s3-backup. Run it again after `git pull` to upgrade; --uninstall removes both.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
usage: bash scripts/install.sh [--prefix DIR] [--uninstall]

Installs converge and s3-backup in DIR/lib/s3-converge (readable by every user, so backup users
can run the job), linked from DIR/bin (default DIR: /usr/local, on root's PATH). Run it again
to upgrade. --uninstall removes the code and the links; what converge created stays (see README).
Needs Node.js >= 20 and npm, and a built clone: bash scripts/setup.sh first.

exit codes: 0 done, 1 failed, 2 bad flag or not root
EOF
}

PREFIX=/usr/local
action=install
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "install: --prefix needs a directory" >&2; exit 2; }; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#--prefix=}; shift ;;
    --uninstall) action=uninstall; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install: unknown flag $1 (bash scripts/install.sh --help)" >&2; exit 2 ;;
  esac
done
case "$PREFIX" in /*) ;; *) echo "install: --prefix must be an absolute path, got $PREFIX" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "install: must run as root (it writes under $PREFIX)" >&2; exit 2; }

dest="$PREFIX/lib/s3-converge"
bins=(converge s3-backup)

if [ "$action" = uninstall ]; then
  for b in "${bins[@]}"; do
    # Only links into this install: a converge installed some other way is not ours to remove.
    if [ "$(readlink "$PREFIX/bin/$b" 2>/dev/null)" = "$dest/bin/$b.js" ]; then rm -f "$PREFIX/bin/$b"; fi
  done
  rm -rf "$dest"
  echo "install: removed $dest and its links in $PREFIX/bin"
  echo "install: users, crontabs, files and MySQL accounts that converge created are still there: converge them with action remove first (README: Uninstall)"
  exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "install: npm is missing: run bash scripts/setup.sh first" >&2; exit 1; }
# Compiled and bundled code newer than every source, or compile now (setup.sh normally has).
if [ ! -f dist/bundle/converge.cjs ] || [ -n "$(find engine contract resources providers backup recipes -name '*.ts' -newer dist/bundle/converge.cjs | head -n 1)" ]; then
  echo "install: compiling"
  npm run --silent build
fi

version=$(node -p 'require("./package.json").version')
mkdir -p "$PREFIX/lib" "$PREFIX/bin"
stage=$(mktemp -d "$PREFIX/lib/.s3-converge.XXXXXX")
old=""
# On any exit: if the new tree never took the old one's place, the old one goes back, and only
# then is anything removed; a failed upgrade leaves the working install as it was.
restore_old() {
  if [ -n "$old" ] && [ ! -e "$dest" ]; then mv "$old" "$dest"; fi
  rm -rf "$stage" ${old:+"$old"}
}
trap restore_old EXIT

echo "install: packing s3-converge $version (npm pack)"
npm pack --ignore-scripts --silent --pack-destination "$stage" >/dev/null
tar -xzf "$stage"/s3-converge-*.tgz -C "$stage" --no-same-owner
rm "$stage"/s3-converge-*.tgz
cp package-lock.json "$stage/package/"
echo "install: installing its runtime dependencies as locked (npm ci --omit=dev)"
(cd "$stage/package" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
# Root's, readable by all: a backup user must read it, and must not be able to change it.
chown -R 0:0 "$stage/package"
chmod -R u=rwX,go=rX "$stage/package"

# Swap in by rename, so a cron job starting now finds the old tree or the new one.
if [ -e "$dest" ]; then
  old="$PREFIX/lib/.s3-converge.old.$$"
  mv "$dest" "$old"
fi
mv "$stage/package" "$dest"
for b in "${bins[@]}"; do ln -sfn "$dest/bin/$b.js" "$PREFIX/bin/$b"; done
echo "install: converge and s3-backup $version installed in $dest, linked from $PREFIX/bin"

# Every directory above must let other users through, or the backup users cannot run the job.
for d in "$PREFIX/lib" "$PREFIX" $(p="$PREFIX"; while [ "$p" != / ]; do p=$(dirname "$p"); echo "$p"; done); do
  if [ "$(( $(stat -c '%#a' "$d") & 1 ))" -eq 0 ]; then
    echo "install: warning: $d (mode $(stat -c '%a' "$d")) does not let other users through: backup users cannot run the job from $dest" >&2
  fi
done
case ":$PATH:" in *":$PREFIX/bin:"*) ;; *) echo "install: note: $PREFIX/bin is not on PATH" ;; esac
