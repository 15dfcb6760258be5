# shellcheck shell=bash
# The run's own git server: a bare repository on this machine holding the revision under test on
# branch GIT_BRANCH, served read-only by npm run e2e:git-server at an address the cluster reaches.
# The run commits to it from here and Argo CD follows it. Sourced by scripts/e2e-kind.sh.

# GIT_HOST: how pods reach this machine; GIT_BIND: where the server listens (as little as needed).
# Linux: the kind network's IPv4 gateway, which is this machine. Docker Desktop: its host alias,
# forwarded to loopback. E2E_GIT_HOST (and E2E_GIT_BIND) override both.
choose_git_addresses() {
  if [[ -n "${E2E_GIT_HOST:-}" ]]; then
    GIT_HOST="$E2E_GIT_HOST"
    GIT_BIND="${E2E_GIT_BIND:-0.0.0.0}"
  elif [[ "$(uname -s)" == "Darwin" ]]; then
    GIT_HOST="host.docker.internal"
    GIT_BIND="127.0.0.1"
  else
    local gateway
    for gateway in $(docker network inspect kind --format '{{range .IPAM.Config}}{{.Gateway}} {{end}}'); do
      [[ "$gateway" =~ ^[0-9]+(\.[0-9]+){3}$ ]] && break
      gateway=""
    done
    [[ -n "$gateway" ]] || fail "the kind network has no IPv4 gateway: set E2E_GIT_HOST to an address pods reach this machine at"
    GIT_HOST="$gateway"
    GIT_BIND="$gateway"
  fi
  # shellcheck disable=SC2153 # GIT_PORT is set by scripts/e2e-kind.sh
  GIT_URL="http://${GIT_HOST}:${GIT_PORT}/guestbook.git"
}

# A shallow history would make the served repository shallow too, and git fetch (as Argo CD runs
# it) refuses branches whose shallow roots would change.
require_full_history() {
  [[ "$(git rev-parse --is-shallow-repository)" == "false" ]] ||
    fail "the checkout is shallow: Argo CD cannot fetch from a shallow repository (git fetch --unshallow, or actions/checkout with fetch-depth: 0)"
}

# Seeds the repository with E2E_REVISION and serves it until stop_git_server.
serve_git_repository() {
  GIT_ROOT="${WORK_DIR}/git"
  mkdir -p "$GIT_ROOT"
  git init --quiet --bare "${GIT_ROOT}/guestbook.git"
  git push --quiet "${GIT_ROOT}/guestbook.git" "${E2E_REVISION}:refs/heads/${GIT_BRANCH}"
  # npm run e2e:git-server, as one process: stop_git_server's signal must reach the server itself.
  node --import tsx scripts/e2e/git-server.ts --root "$GIT_ROOT" --host "$GIT_BIND" --port "$GIT_PORT" &
  GIT_SERVER_PID=$!
  local local_url="http://${GIT_BIND/0.0.0.0/127.0.0.1}:${GIT_PORT}/guestbook.git" tries
  for tries in {1..50}; do
    git ls-remote --exit-code "$local_url" "refs/heads/${GIT_BRANCH}" >/dev/null 2>&1 && return 0
    kill -0 "$GIT_SERVER_PID" 2>/dev/null || fail "the git server stopped (see above)"
    sleep 0.2
  done
  fail "the git server did not answer on ${local_url} after ${tries} tries"
}

# The server, then proof that Argo CD's repo server (the pod that clones) reaches it.
start_git_server() {
  [[ -z "${GIT_SERVER_PID:-}" ]] || return 0
  choose_git_addresses
  log "serving ${E2E_REVISION:0:12} as branch ${GIT_BRANCH} on ${GIT_URL}"
  serve_git_repository
  kubectl -n argocd exec deployment/argocd-repo-server -c argocd-repo-server -- git ls-remote --exit-code "$GIT_URL" "refs/heads/${GIT_BRANCH}" ||
    fail "Argo CD's repo server cannot reach ${GIT_URL}: set E2E_GIT_HOST to an address pods reach this machine at"
}

stop_git_server() {
  [[ -n "${GIT_SERVER_PID:-}" ]] || return 0
  kill -TERM "$GIT_SERVER_PID" 2>/dev/null || true
  wait "$GIT_SERVER_PID" 2>/dev/null || true
  GIT_SERVER_PID=""
}

# Commits NAME=COUNT to overlays/local's replicas on GIT_BRANCH, as a person would; sets CHANGE_REVISION.
commit_replicas() {
  local change="$1" work="${WORK_DIR}/change"
  rm -rf "$work"
  git clone --quiet --branch "$GIT_BRANCH" "${GIT_ROOT}/guestbook.git" "$work"
  npm run --silent e2e:set-replicas -- "${work}/overlays/local" "$change"
  git -C "$work" -c user.name="e2e-kind.sh" -c user.email="e2e-kind@guestbook.invalid" commit --quiet -am "Scale overlays/local: ${change}"
  git -C "$work" push --quiet origin "HEAD:${GIT_BRANCH}"
  # shellcheck disable=SC2034 # read by gitops.sh and scripts/e2e-kind.sh
  CHANGE_REVISION="$(git -C "$work" rev-parse HEAD)"
}
