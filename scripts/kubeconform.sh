#!/usr/bin/env bash
# Renders every overlay and argocd/ and validates the output with the real kubeconform:
# strict (unknown fields fail), pinned Kubernetes version, CRD schemas for Argo CD, External
# Secrets and Gateway API from the datreeio CRDs-catalog. Used by CI (npm run kubeconform).
set -o errexit -o nounset -o pipefail

readonly KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.33.0}"
readonly CRD_SCHEMAS='https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'

usage() {
  echo "usage: scripts/kubeconform.sh   (needs kubeconform and kubectl or kustomize on the PATH)"
}

require() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "kubeconform.sh: $1 not found: $2" >&2
    exit 1
  fi
}

render() {
  if command -v kubectl >/dev/null 2>&1; then
    kubectl kustomize "$1"
  else
    kustomize build "$1"
  fi
}

targets() {
  local dir
  for dir in overlays/*/ argocd/; do
    [[ -f "${dir}kustomization.yaml" ]] && echo "${dir%/}"
  done
}

main() {
  if [[ $# -gt 0 ]]; then
    usage
    exit 1
  fi
  require kubeconform "go install github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0"
  command -v kubectl >/dev/null 2>&1 || require kustomize "install kubectl (it includes Kustomize) or kustomize 5"

  # overlays/local generates its Secrets from git-ignored files: make them on a fresh checkout.
  npm run --silent local-credentials >/dev/null

  local out failed=0 checked=0 target
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
  while read -r target; do
    checked=$((checked + 1))
    echo "== ${target}"
    render "$target" >"${out}/rendered.yaml"
    if ! kubeconform -strict -summary \
      -kubernetes-version "$KUBERNETES_VERSION" \
      -schema-location default \
      -schema-location "$CRD_SCHEMAS" \
      "${out}/rendered.yaml"; then
      failed=$((failed + 1))
    fi
  done < <(targets)

  echo "kubeconform: ${checked} targets, ${failed} failed (Kubernetes ${KUBERNETES_VERSION})"
  [[ $failed -eq 0 ]]
}

main "$@"
