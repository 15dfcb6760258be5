#!/usr/bin/env bash
# End to end on a throwaway kind cluster, the GitOps way (docs/e2e.md says what each step proves):
# kind from a pinned node image, Envoy Gateway and the shared Gateway, both images built from the
# checkout and loaded, Argo CD from its pinned release manifest syncing overlays/local from the
# revision under test; then checks through the Gateway, zero-downtime rollouts measured under
# load, a commit that Argo CD applies, and self-heal. The cluster is always deleted at the end.
#   scripts/e2e-kind.sh                  Argo CD syncs HEAD, served from this machine
#   E2E_REPO_URL=https://github.com/OWNER/REPO.git E2E_REVISION=SHA scripts/e2e-kind.sh
#                                        Argo CD syncs SHA from that repository (what CI does)
#   KEEP_CLUSTER=1 scripts/e2e-kind.sh   leave the cluster for a look afterwards
# Needs docker (with buildx), kind, kubectl, git and npm (after npm ci).
# shellcheck source-path=SCRIPTDIR
set -o errexit -o nounset -o pipefail

# Pins, each kept current by Renovate (the comment above names the source).
# renovate: datasource=github-releases depName=kubernetes-sigs/kind
readonly KIND_VERSION="0.32.0"
# Kubernetes 1.36, the newest minor in upstream support: kind v0.32.0's own node image for it
# (pkg/apis/config/defaults/image.go at tag v0.32.0). Update it together with kind.
# renovate: datasource=docker depName=kindest/node
readonly KIND_NODE_VERSION="v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5"
# renovate: datasource=github-releases depName=envoyproxy/gateway
readonly ENVOY_GATEWAY_VERSION="1.9.0"
readonly ENVOY_GATEWAY_MANIFEST="https://github.com/envoyproxy/gateway/releases/download/v${ENVOY_GATEWAY_VERSION}/install.yaml"
# renovate: datasource=github-releases depName=argoproj/argo-cd
readonly ARGOCD_VERSION="3.5.1"
readonly ARGOCD_MANIFEST="https://raw.githubusercontent.com/argoproj/argo-cd/v${ARGOCD_VERSION}/manifests/install.yaml"

readonly CLUSTER="${CLUSTER:-guestbook-e2e}"
readonly NAMESPACE="guestbook-local"
readonly APP="guestbook-e2e"
# The config management plugin scripts/e2e-kind/local-inputs-plugin.yaml defines.
readonly LOCAL_INPUTS_PLUGIN="guestbook-local-inputs"
readonly HTTP_PORT="${HTTP_PORT:-8080}"
# The NodePort scripts/e2e-kind/gateway.yaml gives the Gateway's proxies; kind maps it to HTTP_PORT.
readonly GATEWAY_NODE_PORT=30080
# The HTTPRoute's host is localhost; the Gateway ignores the port when matching it.
readonly BASE_URL="http://localhost:${HTTP_PORT}"
readonly FIRST_SYNC_TIMEOUT="${E2E_SYNC_TIMEOUT:-600}"
readonly SYNC_TIMEOUT=300
# The run's own git server, which Argo CD follows for the GitOps loop.
readonly GIT_PORT="${E2E_GIT_PORT:-8419}"
readonly GIT_BRANCH="e2e"
# The rollout load: 20 signs a minute stays below the API's 30 per client per pod, so every 429
# would be a failure (--fail-on-429); the API sees every request come from one client address.
readonly LOAD_READERS=2
readonly LOAD_SIGNS_PER_MINUTE=20
# Steady load before and after each disruption, so both edges are measured.
readonly LOAD_SETTLE_SECONDS=5

# One file per concern; each says what it does.
# shellcheck source=e2e-kind/cluster.sh
source "$(dirname "$0")/e2e-kind/cluster.sh"
# shellcheck source=e2e-kind/argocd.sh
source "$(dirname "$0")/e2e-kind/argocd.sh"
# shellcheck source=e2e-kind/git-source.sh
source "$(dirname "$0")/e2e-kind/git-source.sh"
# shellcheck source=e2e-kind/under-load.sh
source "$(dirname "$0")/e2e-kind/under-load.sh"
# shellcheck source=e2e-kind/gitops.sh
source "$(dirname "$0")/e2e-kind/gitops.sh"

log() { printf '\n== %s\n' "$*"; }
fail() { echo "e2e-kind.sh: $*" >&2; return 1; }

require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found on the PATH (needs docker with buildx, kind, kubectl, git, npm)"
  done
  docker buildx version >/dev/null 2>&1 || fail "docker buildx not found: install the buildx plugin (BuildKit builds the images)"
}

# The revision Argo CD syncs first: E2E_REVISION of E2E_REPO_URL, or HEAD served from here.
resolve_source() {
  E2E_REVISION="${E2E_REVISION:-$(git rev-parse HEAD)}"
  git cat-file -e "${E2E_REVISION}^{commit}" 2>/dev/null || fail "E2E_REVISION ${E2E_REVISION} is not a commit of this checkout"
  require_full_history
  if [[ -z "${E2E_REPO_URL:-}" && -n "$(git status --porcelain)" ]]; then
    echo "note: uncommitted changes go into the images but not into what Argo CD syncs (${E2E_REVISION:0:12})" >&2
  fi
}

cleanup() {
  local status=$?
  set +o errexit
  stop_load_if_running
  if ((status != 0)) && kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then print_diagnostics; fi
  stop_git_server
  if [[ "${KEEP_CLUSTER:-0}" == "1" ]]; then
    echo "keeping cluster ${CLUSTER} (kind delete cluster --name ${CLUSTER}); the app is on ${BASE_URL}/"
  else
    kind delete cluster --name "$CLUSTER" >/dev/null 2>&1
  fi
  rm -rf "$WORK_DIR"
  exit "$status"
}

main() {
  cd "$(dirname "$0")/.."
  require docker kubectl git npm
  resolve_source
  ensure_kind
  WORK_DIR="$(mktemp -d)"
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  create_cluster
  install_gateway
  build_and_load_images
  install_argocd
  give_argocd_local_inputs
  local source_url="${E2E_REPO_URL:-}"
  if [[ -z "$source_url" ]]; then
    start_git_server
    source_url="$GIT_URL"
  fi
  apply_application "$source_url" "$E2E_REVISION"
  wait_for_application "$E2E_REVISION" "$source_url" "$FIRST_SYNC_TIMEOUT"

  log "checks through the Gateway at ${BASE_URL}"
  npm run --silent e2e:check -- "$BASE_URL"

  measure_under_load "kubectl rollout restart deployment/guestbook-backend" restart_deployment backend
  measure_under_load "kubectl rollout restart deployment/guestbook-frontend" restart_deployment frontend
  show_gitops_loop
  measure_under_load "deleting one of the two backend pods" delete_one_pod backend
  show_self_heal
  log "passed: Argo CD synced ${E2E_REVISION:0:12}, applied ${CHANGE_REVISION:0:12} and healed a deleted Deployment; no request failed"
}

main "$@"
