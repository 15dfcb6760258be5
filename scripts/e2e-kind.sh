#!/usr/bin/env bash
# End to end on a throwaway kind cluster, for machines with Docker: build both images, load
# them, install Envoy Gateway and the cluster's shared Gateway (scripts/e2e-kind/gateway.yaml),
# apply overlays/local (MongoDB in the cluster, Gateway API, nothing external), wait for the
# rollout, sign the guestbook through the Gateway with curl, and clean up.
#   scripts/e2e-kind.sh            run it
#   KEEP_CLUSTER=1 scripts/e2e-kind.sh   leave the cluster for a look afterwards
set -o errexit -o nounset -o pipefail

readonly CLUSTER="${CLUSTER:-guestbook-e2e}"
readonly NAMESPACE="guestbook-local"
# The oldest kind that can run the node image below (node images are built per kind release).
# renovate: datasource=github-releases depName=kubernetes-sigs/kind
readonly KIND_VERSION="v0.33.0"
# The node image kind v0.33.0 defaults to, pinned by digest as its release notes ask.
# renovate: datasource=docker depName=kindest/node
readonly KIND_NODE_VERSION="v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5"
# renovate: datasource=github-releases depName=envoyproxy/gateway
readonly ENVOY_GATEWAY_VERSION="1.9.0"
readonly ENVOY_GATEWAY_MANIFEST="https://github.com/envoyproxy/gateway/releases/download/v${ENVOY_GATEWAY_VERSION}/install.yaml"
readonly HTTP_PORT="${HTTP_PORT:-8080}"
# The NodePort scripts/e2e-kind/gateway.yaml gives the Gateway's proxies; kind maps it to HTTP_PORT.
readonly GATEWAY_NODE_PORT=30080

log() { printf '\n== %s\n' "$*"; }

require() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "e2e-kind.sh: $tool not found on the PATH (needs docker, kind, kubectl, curl)" >&2
      exit 1
    fi
  done
}

require_kind_version() {
  local installed
  installed=$(kind version | grep -o 'v[0-9][0-9.]*' | head -1)
  if [[ "$(printf '%s\n' "$KIND_VERSION" "$installed" | sort -V | head -1)" != "$KIND_VERSION" ]]; then
    echo "e2e-kind.sh: kind ${installed:-unknown} is older than ${KIND_VERSION}, which the node image kindest/node:${KIND_NODE_VERSION%@*} needs" >&2
    exit 1
  fi
}

cleanup() {
  if [[ "${KEEP_CLUSTER:-0}" == "1" ]]; then
    echo "keeping cluster ${CLUSTER} (kind delete cluster --name ${CLUSTER})"
  else
    kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
  fi
}

create_cluster() {
  log "creating kind cluster ${CLUSTER}"
  kind create cluster --name "$CLUSTER" --image "kindest/node:${KIND_NODE_VERSION}" --wait 120s --config - <<YAML
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
    extraPortMappings:
      - containerPort: ${GATEWAY_NODE_PORT}
        hostPort: ${HTTP_PORT}
        protocol: TCP
YAML
}

install_gateway() {
  log "installing Envoy Gateway v${ENVOY_GATEWAY_VERSION} (with the Gateway API CRDs) and the shared Gateway"
  # Server-side apply: the CRDs are too large for the last-applied annotation.
  kubectl apply --server-side -f "$ENVOY_GATEWAY_MANIFEST"
  kubectl wait crd --all --for=condition=Established --timeout=60s
  kubectl -n envoy-gateway-system wait deployment/envoy-gateway --for=condition=Available --timeout=300s
  kubectl apply -f scripts/e2e-kind/gateway.yaml
  kubectl -n gateway-system wait gateway/public --for=condition=Programmed --timeout=180s
}

build_images() {
  local target
  for target in api web; do
    log "building guestbook-${target}:local"
    docker build --target "$target" -t "guestbook-${target}:local" .
    kind load docker-image "guestbook-${target}:local" --name "$CLUSTER"
  done
}

deploy() {
  log "applying overlays/local"
  kubectl apply -k overlays/local
  kubectl -n "$NAMESPACE" rollout status statefulset/guestbook-mongodb --timeout=240s
  kubectl -n "$NAMESPACE" rollout status deployment/guestbook-backend --timeout=180s
  kubectl -n "$NAMESPACE" rollout status deployment/guestbook-frontend --timeout=180s
}

sign_and_read() {
  log "signing the guestbook through the Gateway"
  local base="http://localhost:${HTTP_PORT}" name="kind-e2e-$RANDOM"
  curl --fail --silent --show-error --retry 10 --retry-all-errors --retry-delay 3 \
    -H 'Content-Type: application/json' \
    -d "{\"name\":\"${name}\",\"message\":\"signed through the Gateway\"}" \
    "${base}/api/entries" >/dev/null
  curl --fail --silent --show-error "${base}/api/entries" | grep -q "\"${name}\""
  curl --fail --silent --show-error "${base}/" | grep -q '<div id="root">'
  echo "ok: ${name} was stored and read back; the UI is served at ${base}/"
}

main() {
  require docker kind kubectl curl
  require_kind_version
  cd "$(dirname "$0")/.."
  trap cleanup EXIT
  create_cluster
  install_gateway
  build_images
  deploy
  sign_and_read
}

main "$@"
