#!/usr/bin/env bash
# Renders every overlay and argocd/ and validates the output with the real kubeconform:
# strict (unknown fields fail), against the oldest Kubernetes minor in upstream support, the
# newest release, and every version the offline validator checks (one bundle each in
# schemas/kubernetes/); CRD schemas for Argo CD, External Secrets and Gateway API from the
# datreeio CRDs-catalog. Used by CI (npm run kubeconform); --versions prints the versions.
set -o errexit -o nounset -o pipefail

# renovate: datasource=go depName=github.com/yannh/kubeconform
readonly KUBECONFORM_VERSION="v0.8.0"
# 1.35: the oldest minor in upstream support (until 2027-02-28), the overlays' Pod Security
# enforce-version. 1.37: the newest release (2026-08-26), which no npm package carries a spec of,
# so only kubeconform checks it. kubeconform downloads its schemas from
# yannh/kubernetes-json-schema (folder v<version>-standalone-strict), which only CI can reach:
# a version without a folder there fails every resource, never passes silently.
readonly UPSTREAM_VERSIONS=(1.35.0 1.37.0)
readonly CRD_SCHEMAS='https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'

usage() {
  echo "usage: scripts/kubeconform.sh [--versions]   (needs kubeconform and kubectl or kustomize on the PATH)"
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

# The versions to check, oldest first: the upstream ones above and the bundles' (v1.36.0.json -> 1.36.0).
kubernetes_versions() {
  local bundle
  {
    printf '%s\n' "${UPSTREAM_VERSIONS[@]}"
    for bundle in schemas/kubernetes/v*.json; do
      [[ -f "$bundle" ]] || continue
      bundle="${bundle##*/v}"
      echo "${bundle%.json}"
    done
  } | sort -u -t . -k 1,1n -k 2,2n -k 3,3n
}

targets() {
  local dir
  for dir in overlays/*/ argocd/; do
    [[ -f "${dir}kustomization.yaml" ]] && echo "${dir%/}"
  done
}

main() {
  if [[ $# -eq 1 && "$1" == "--versions" ]]; then
    kubernetes_versions
    exit 0
  fi
  if [[ $# -gt 0 ]]; then
    usage
    exit 1
  fi
  require kubeconform "go install github.com/yannh/kubeconform/cmd/kubeconform@${KUBECONFORM_VERSION}"
  command -v kubectl >/dev/null 2>&1 || require kustomize "install kubectl (it includes Kustomize) or kustomize 5"

  # overlays/local generates its Secrets from git-ignored files: make them on a fresh checkout.
  npm run --silent local-credentials >/dev/null

  local out failed=0 checked=0 target version versions
  versions="$(kubernetes_versions)"
  out="$(mktemp -d)"
  # shellcheck disable=SC2064 # expanded now: $out is local to main and gone when the trap runs
  trap "rm -rf -- '${out}'" EXIT
  while read -r target; do
    render "$target" >"${out}/rendered.yaml"
    for version in $versions; do
      checked=$((checked + 1))
      echo "== ${target} (Kubernetes ${version})"
      if ! kubeconform -strict -summary \
        -kubernetes-version "$version" \
        -schema-location default \
        -schema-location "$CRD_SCHEMAS" \
        "${out}/rendered.yaml"; then
        failed=$((failed + 1))
      fi
    done
  done < <(targets)

  echo "kubeconform: ${checked} checks (every target against Kubernetes ${versions//$'\n'/ }), ${failed} failed"
  [[ $failed -eq 0 ]]
}

main "$@"
