# shellcheck shell=bash
# Argo CD: installed from its pinned release manifest, pointed at a revision through the objects
# npm run e2e:application generates, waited on, and asked what went wrong when something did.
# Sourced by scripts/e2e-kind.sh.

install_argocd() {
  log "installing Argo CD v${ARGOCD_VERSION} from ${ARGOCD_MANIFEST}"
  kubectl create namespace argocd --dry-run=client -o yaml | kubectl apply -f -
  # As Argo CD's getting-started guide installs it: its CRDs are too large for client-side apply.
  kubectl apply -n argocd --server-side --force-conflicts -f "$ARGOCD_MANIFEST" >/dev/null
  kubectl wait crd applications.argoproj.io appprojects.argoproj.io --for=condition=Established --timeout=60s
  kubectl -n argocd wait deployment --all --for=condition=Available --timeout=300s
  kubectl -n argocd rollout status statefulset/argocd-application-controller --timeout=300s
}

# overlays/local's git-ignored inputs (npm run local-credentials makes them, once) for Argo CD,
# which renders from its own clone: a Secret holding them, and the config management plugin of
# scripts/e2e-kind/local-inputs-plugin.yaml in a sidecar of the repo server (Argo CD's own image,
# which carries kustomize) that copies them in before building. Sets APP_PLUGIN when needed.
give_argocd_local_inputs() {
  local made inputs file args=()
  made="$(npm run --silent local-credentials -- local)"
  mapfile -t inputs < <(awk 'NF == 2 {print $2}' <<<"$made")
  ((${#inputs[@]} > 0)) || return 0
  log "Argo CD: overlays/local's generated inputs (${inputs[*]}) through the ${LOCAL_INPUTS_PLUGIN} plugin"
  for file in "${inputs[@]}"; do args+=("--from-file=${file}"); done
  kubectl -n argocd create secret generic guestbook-local-inputs "${args[@]}" --dry-run=client -o yaml | kubectl apply -f -
  kubectl apply -f scripts/e2e-kind/local-inputs-plugin.yaml
  kubectl -n argocd patch deployment argocd-repo-server --type strategic --patch-file /dev/stdin <<YAML
spec:
  template:
    spec:
      containers:
        - name: ${LOCAL_INPUTS_PLUGIN}
          image: quay.io/argoproj/argocd:v${ARGOCD_VERSION}
          command: [/var/run/argocd/argocd-cmp-server]
          env:
            - name: LOCAL_INPUTS
              value: /local-inputs
          securityContext:
            runAsNonRoot: true
            runAsUser: 999
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
            seccompProfile:
              type: RuntimeDefault
          volumeMounts:
            - {name: var-files, mountPath: /var/run/argocd}
            - {name: plugins, mountPath: /home/argocd/cmp-server/plugins}
            - {name: local-inputs-plugin, mountPath: /home/argocd/cmp-server/config/plugin.yaml, subPath: plugin.yaml}
            - {name: local-inputs, mountPath: /local-inputs, readOnly: true}
            - {name: local-inputs-tmp, mountPath: /tmp}
      volumes:
        - {name: local-inputs-plugin, configMap: {name: guestbook-local-inputs-plugin}}
        - {name: local-inputs, secret: {secretName: guestbook-local-inputs}}
        - {name: local-inputs-tmp, emptyDir: {}}
YAML
  kubectl -n argocd rollout status deployment/argocd-repo-server --timeout=300s
  APP_PLUGIN="$LOCAL_INPUTS_PLUGIN"
}

# The AppProject and Application for REVISION (a SHA or a branch) of REPO_URL.
apply_application() {
  local repo_url="$1" revision="$2"
  log "Argo CD: ${APP} syncs overlays/local at ${revision} of ${repo_url}"
  npm run --silent e2e:application -- --repo "$repo_url" --revision "$revision" ${APP_PLUGIN:+--plugin "$APP_PLUGIN"} | kubectl apply -f -
}

# Waits until Argo CD reports the Application Synced and Healthy at SHA, compared against
# REPO_URL, printing each state it passes through; fails after TIMEOUT seconds.
wait_for_application() {
  local sha="$1" repo_url="$2" timeout="${3:-$SYNC_TIMEOUT}" state last="-" deadline
  deadline=$((SECONDS + timeout))
  while true; do
    state="$(kubectl -n argocd get applications.argoproj.io "$APP" \
      -o jsonpath='{.status.sync.status} {.status.health.status} {.status.sync.revision} {.status.sync.comparedTo.source.repoURL}' 2>/dev/null || true)"
    if [[ "$state" != "$last" ]]; then
      echo "  $(date -u +%H:%M:%S) ${state:-no status yet}"
      last="$state"
    fi
    [[ "$state" == "Synced Healthy ${sha} ${repo_url}" ]] && return 0
    ((SECONDS < deadline)) || fail "${APP} was not Synced and Healthy at ${sha} of ${repo_url} within ${timeout} s"
    sleep 3
  done
}

# What a Git webhook makes Argo CD do, without waiting for its three-minute poll; "hard" also
# skips the repo server's cache of branch heads.
refresh_application() {
  kubectl -n argocd annotate applications.argoproj.io "$APP" argocd.argoproj.io/refresh=hard --overwrite >/dev/null
}

# Everything needed to see why a run failed, each part allowed to fail on its own.
print_diagnostics() {
  log "diagnostics: Argo CD's view of ${APP}"
  kubectl -n argocd get applications.argoproj.io "$APP" -o jsonpath='{"sync: "}{.status.sync}{"\nhealth: "}{.status.health}{"\nconditions: "}{.status.conditions}{"\noperation: "}{.status.operationState}{"\n"}' || true
  echo "resources not Synced and Healthy:"
  kubectl -n argocd get applications.argoproj.io "$APP" \
    -o jsonpath='{range .status.resources[*]}{.kind}/{.name} {.status} {.health.status} {.health.message}{"\n"}{end}' | grep -v ' Synced Healthy' || true
  log "diagnostics: objects and events in ${NAMESPACE}"
  kubectl -n "$NAMESPACE" get all,httproutes,pvc,networkpolicies -o wide || true
  kubectl get gateways,httproutes -A || true
  kubectl -n "$NAMESPACE" get events --sort-by=.lastTimestamp || true
  log "diagnostics: logs of every pod in ${NAMESPACE}"
  local pod
  for pod in $(kubectl -n "$NAMESPACE" get pods -o name 2>/dev/null); do
    echo "-- ${pod}"
    kubectl -n "$NAMESPACE" logs "$pod" --all-containers --prefix --tail=300 || true
    kubectl -n "$NAMESPACE" logs "$pod" --all-containers --prefix --previous --tail=100 2>/dev/null || true
  done
  log "diagnostics: Argo CD's controller and repo server"
  kubectl -n argocd logs statefulset/argocd-application-controller --tail=100 || true
  kubectl -n argocd logs deployment/argocd-repo-server --all-containers --prefix --tail=100 || true
}
