#!/usr/bin/env bash
# Checks the cluster of the current kubectl context for everything overlays/ENV needs before
# its first sync (docs/cluster-setup.md), and prints what is missing, one line each. Read-only:
# it only runs kubectl get, api-resources and auth can-i. What to look for comes from the
# rendered overlay (npm run overlay-facts -- ENV), so it follows the overlay's own settings.
# Exit 0 when nothing is missing, 1 otherwise.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

missing=0
checked=0
api_resources=""

usage() {
  echo "usage: scripts/preflight.sh ENV   (ENV: one of overlays/*; needs kubectl and npm ci)"
}

# A prerequisite that is not there: what, and how to get it.
lack() {
  missing=$((missing + 1))
  echo "missing: $1"
}

note() {
  echo "note: $1"
}

# kubectl get, with the outcome as the exit code: 0 found, 1 not found, 2 could not check.
fetch() {
  local out
  if out=$(kubectl get "$@" 2>&1); then
    printf '%s' "$out"
    return 0
  fi
  if [[ $out == *NotFound* || $out == *"not found"* || $out == *"doesn't have a resource type"* ]]; then
    return 1
  fi
  echo "cannot check (kubectl get $*): ${out%%$'\n'*}" >&2
  return 2
}

# One prerequisite: `expect DESCRIPTION HINT -- kubectl-get-arguments`.
expect() {
  local what=$1 hint=$2
  shift 3
  checked=$((checked + 1))
  local status=0
  fetch "$@" >/dev/null || status=$?
  case $status in
    0) ;;
    1) lack "$what: $hint" ;;
    *) lack "$what: could not be checked (see above)" ;;
  esac
}

has_api() {
  grep -qx "$1" <<<"$api_resources"
}

# A custom resource kind the overlay relies on, installed by the operator that owns it.
expect_api() {
  local resource=$1 hint=$2
  checked=$((checked + 1))
  if ! has_api "$resource"; then
    lack "API $resource: $hint"
    return 1
  fi
}

# Condition Ready=True on a cluster-scoped custom resource.
expect_ready() {
  local what=$1 hint=$2 kind=$3 name=$4
  checked=$((checked + 1))
  local ready status=0
  ready=$(fetch "$kind" "$name" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') || status=$?
  if [[ $status -eq 1 ]]; then
    lack "$what: $hint"
  elif [[ $status -ne 0 ]]; then
    lack "$what: could not be checked (see above)"
  elif [[ $ready != True ]]; then
    lack "$what exists but is not Ready: kubectl describe $kind $name"
  fi
}

check_way_in() {
  local key=$1 value=$2
  case $key in
    ingress_class)
      expect "IngressClass $value" "install the ingress controller that serves it (docs/cluster-setup.md#1-the-way-in)" -- ingressclass "$value"
      ;;
    controller_namespace)
      expect "namespace $value (the proxies the NetworkPolicies admit)" \
        "install the controller there, or name the one it runs in (overlays/$overlay/ingress-controller-namespace.yaml or gateway-namespace.yaml)" -- namespace "$value"
      ;;
    gateway)
      expect_api gateways.gateway.networking.k8s.io "install a Gateway API implementation (docs/cluster-setup.md#1-the-way-in)" &&
        expect "Gateway $value" "create it (scripts/e2e-kind/gateway.yaml for kind), or name yours in overlays/$overlay/httproute.yaml" \
          -- gateway -n "${value%%/*}" "${value#*/}"
      ;;
  esac
  return 0
}

check_certificates() {
  local key=$1 value=$2
  case $key in
    cluster_issuer)
      expect_api clusterissuers.cert-manager.io "install cert-manager (docs/cluster-setup.md#2-cert-manager-prod)" &&
        expect_ready "ClusterIssuer $value" "kubectl apply -f cluster/cert-manager/cluster-issuer.yaml" clusterissuer "$value"
      ;;
    issuer)
      expect_api issuers.cert-manager.io "install cert-manager (docs/cluster-setup.md#2-cert-manager-prod)" &&
        expect "Issuer $value" "create it in its namespace" -- issuer -n "${value%%/*}" "${value#*/}"
      ;;
  esac
  return 0
}

check_secrets() {
  local key=$1 value=$2
  case $key in
    cluster_secret_store)
      expect_api externalsecrets.external-secrets.io "install External Secrets, or use components/manual-secret (docs/cluster-setup.md#3-the-database-secret)" &&
        expect_ready "ClusterSecretStore $value" "create it for your secret manager (docs/cluster-setup.md#3-the-database-secret)" clustersecretstore "$value"
      ;;
    manual_secret)
      # Without -o, kubectl asks the server for its table, which carries no secret data.
      expect "Secret $value (made by hand)" \
        "kubectl -n ${value%%/*} create secret generic ${value#*/} --from-literal=uri='mongodb+srv://...'" \
        -- secret -n "${value%%/*}" "${value#*/}"
      ;;
  esac
  return 0
}

check_platform() {
  local key=$1 value=$2
  case $key in
    hpa)
      checked=$((checked + 1))
      local available status=0
      available=$(fetch apiservice v1beta1.metrics.k8s.io -o 'jsonpath={.status.conditions[?(@.type=="Available")].status}') || status=$?
      if [[ $status -ne 0 || $available != True ]]; then
        lack "metrics API (HorizontalPodAutoscaler $value scales on CPU): install metrics-server (docs/cluster-setup.md#4-metrics-server-prod)"
      fi
      ;;
    dns_pods)
      checked=$((checked + 1))
      local pods status=0
      pods=$(fetch pods -n "${value%% *}" -l "${value#* }" -o name) || status=$?
      if [[ $status -ne 0 || -z $pods ]]; then
        lack "DNS pods labelled ${value#* } in ${value%% *} (the only DNS the backend's egress policy allows): relabel them or change base/networkpolicies.yaml"
      fi
      ;;
    dns_ip)
      if fetch daemonset -n kube-system node-local-dns >/dev/null 2>&1; then
        note "NodeLocal DNSCache runs: the egress policy allows ${value}; if it also answers on the kube-dns Service IP, allow that IP too (docs/cluster-setup.md#5-dns-and-egress)"
      fi
      ;;
    default_storage_class)
      checked=$((checked + 1))
      local defaults
      defaults=$(fetch storageclass -o 'jsonpath={range .items[*]}{.metadata.annotations.storageclass\.kubernetes\.io/is-default-class}{"\n"}{end}') || true
      if ! grep -qx true <<<"$defaults"; then
        lack "a default StorageClass (MongoDB's PersistentVolumeClaim names none): mark one default, or set storageClassName"
      fi
      ;;
  esac
  return 0
}

check_argocd() {
  local key=$1 value=$2
  case $key in
    argocd_namespace)
      expect "namespace $value (Argo CD)" "install Argo CD (docs/cluster-setup.md#6-argo-cd-and-the-bootstrap-order)" -- namespace "$value"
      if expect_api applications.argoproj.io "install Argo CD (docs/cluster-setup.md#6-argo-cd-and-the-bootstrap-order)"; then
        checked=$((checked + 1))
        if [[ $(kubectl auth can-i create applications.argoproj.io -n "$value" 2>/dev/null || true) != yes ]]; then
          lack "permission to create Applications in $value: ask a cluster admin, or bootstrap as one"
        fi
      fi
      ;;
  esac
  return 0
}

main() {
  if [[ $# -ne 1 || $1 == -* ]]; then
    usage >&2
    exit 1
  fi
  overlay=$1
  command -v kubectl >/dev/null 2>&1 || { echo "preflight: kubectl not found: install it" >&2; exit 1; }
  [[ -x node_modules/.bin/tsx ]] || { echo "preflight: node_modules is missing: run npm ci" >&2; exit 1; }

  local facts context
  facts=$(node_modules/.bin/tsx scripts/overlay-facts.ts "$overlay") || exit 1
  # Without a context kubectl falls back to localhost:8080, which may be this very app.
  if ! context=$(kubectl config current-context 2>/dev/null) || [[ -z $context ]]; then
    echo "preflight: kubectl has no current context: point it at the cluster first (kubectl config use-context NAME)" >&2
    exit 1
  fi
  if ! api_resources=$(kubectl api-resources -o name 2>&1); then
    echo "preflight: cannot reach the cluster of context \"$context\": ${api_resources##*] }" >&2
    exit 1
  fi

  local key value unpromoted=() application=""
  while IFS='=' read -r key value; do
    check_way_in "$key" "$value"
    check_certificates "$key" "$value"
    check_secrets "$key" "$value"
    check_platform "$key" "$value"
    check_argocd "$key" "$value"
    case $key in
      image_without_digest) unpromoted+=("$value") ;;
      argocd_application) application=$value ;;
    esac
  done <<<"$facts"

  # An Application syncing images no pipeline ever pushed starts in ImagePullBackOff.
  if [[ -n $application && ${#unpromoted[@]} -gt 0 ]]; then
    checked=$((checked + 1))
    local how="merge to main so the images workflow bumps it"
    [[ $overlay != dev ]] && how="promote first (npm run promote -- dev $overlay, in a merged pull request)"
    lack "images for overlays/$overlay (${unpromoted[*]} carry no digest, never built or promoted): $how, then apply argocd/application-$overlay.yaml"
  fi

  echo "preflight $overlay: $checked checks, $missing missing"
  [[ $missing -eq 0 ]]
}

main "$@"
