# shellcheck shell=bash
# The cluster and what runs in it besides Argo CD and the app: kind, Envoy Gateway and the
# shared Gateway, and the two images. Sourced by scripts/e2e-kind.sh, which sets the pins.

# kind from the pin: installed with `go install` (verified against Go's checksum database) when
# E2E_INSTALL_KIND=1, as CI does; otherwise the one on the PATH, with a warning if it differs.
ensure_kind() {
  if [[ "${E2E_INSTALL_KIND:-0}" == "1" ]]; then
    log "installing kind v${KIND_VERSION}"
    go install "sigs.k8s.io/kind@v${KIND_VERSION}"
    PATH="$(go env GOPATH)/bin:${PATH}"
  fi
  command -v kind >/dev/null 2>&1 || fail "kind not found: go install sigs.k8s.io/kind@v${KIND_VERSION} (or E2E_INSTALL_KIND=1)"
  local installed
  installed="$(kind version)"
  if [[ "$installed" != "kind v${KIND_VERSION} "* ]]; then
    echo "warning: ${installed} is not kind v${KIND_VERSION}, the version kindest/node:${KIND_NODE_VERSION%%@*} is built for" >&2
  fi
}

create_cluster() {
  log "creating kind cluster ${CLUSTER} (kindest/node:${KIND_NODE_VERSION%%@*})"
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
  kubectl apply --server-side -f "$ENVOY_GATEWAY_MANIFEST" >/dev/null
  kubectl wait crd --all --for=condition=Established --timeout=60s
  kubectl -n envoy-gateway-system wait deployment/envoy-gateway --for=condition=Available --timeout=300s
  kubectl apply -f scripts/e2e-kind/gateway.yaml
  kubectl -n gateway-system wait gateway/public --for=condition=Programmed --timeout=180s
}

# Both images from the checkout, as overlays/local names them. Single-platform and without
# attestations (--provenance=false): with Docker's containerd image store a default build adds a
# provenance manifest, and kind's import then fails with "content digest ... not found".
build_and_load_images() {
  local target
  for target in api web; do
    log "building guestbook-${target}:local"
    docker buildx build --load --provenance=false --sbom=false --target "$target" -t "guestbook-${target}:local" .
    kind load docker-image "guestbook-${target}:local" --name "$CLUSTER"
  done
}
