# shellcheck shell=bash
# Zero-downtime, measured: npm run e2e:load keeps reading and signing through the Gateway while a
# disruption runs, then reads every acknowledged signature back; any failed request, any 429
# and any lost signature fail the run. Sourced by scripts/e2e-kind.sh.

# npm run e2e:load, as one process: npm does not pass stop_load's SIGINT on to it. Returns once
# the load says a signal would stop it gracefully, so no disruption starts before it does.
start_load() {
  LOAD_LOG="${WORK_DIR}/load.log"
  node --import tsx scripts/e2e/load.ts "$BASE_URL" --readers "$LOAD_READERS" --signs-per-minute "$LOAD_SIGNS_PER_MINUTE" \
    --max-seconds 900 --fail-on-429 >"$LOAD_LOG" &
  LOAD_PID=$!
  local tries
  for tries in {1..300}; do
    grep -q '^started: ' "$LOAD_LOG" && return 0
    kill -0 "$LOAD_PID" 2>/dev/null || break
    sleep 0.2
  done
  cat "$LOAD_LOG"
  fail "the load did not start (${tries} checks)"
}

# Stops the load (SIGINT ends it gracefully: it reads the signatures back and reports), prints
# its report, and returns its status.
stop_load() {
  local status=0
  kill -INT "$LOAD_PID"
  wait "$LOAD_PID" || status=$?
  LOAD_PID=""
  cat "$LOAD_LOG"
  return "$status"
}

stop_load_if_running() {
  [[ -n "${LOAD_PID:-}" ]] || return 0
  stop_load || true
}

# Runs the disruption (a command and its arguments) under load, with steady load on both sides.
measure_under_load() {
  local what="$1"
  shift
  log "under load: ${what}"
  start_load
  sleep "$LOAD_SETTLE_SECONDS"
  "$@"
  sleep "$LOAD_SETTLE_SECONDS"
  stop_load || fail "requests failed, were rate limited or signatures were lost during: ${what}"
}

# Names of the pods of one component (backend, frontend), one a line.
pod_names() {
  kubectl -n "$NAMESPACE" get pods -l "app.kubernetes.io/name=guestbook,app.kubernetes.io/component=$1" \
    -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
}

# A rolling restart, done once the old pods have drained and gone (rollout status returns earlier).
restart_deployment() {
  local component="$1" pod old
  mapfile -t old < <(pod_names "$component")
  ((${#old[@]} > 0)) || fail "no ${component} pod to restart"
  kubectl -n "$NAMESPACE" rollout restart "deployment/guestbook-${component}"
  kubectl -n "$NAMESPACE" rollout status "deployment/guestbook-${component}" --timeout=300s
  for pod in "${old[@]}"; do kubectl -n "$NAMESPACE" wait --for=delete "pod/${pod}" --timeout=120s; done
}

# One pod deleted by hand (as a node failure or an eviction would), the Deployment whole again after.
delete_one_pod() {
  local component="$1" pods
  mapfile -t pods < <(pod_names "$component")
  ((${#pods[@]} >= 2)) || fail "deleting one ${component} pod without downtime needs two, found ${#pods[@]}"
  kubectl -n "$NAMESPACE" delete pod "${pods[0]}" --wait=false
  kubectl -n "$NAMESPACE" wait --for=delete "pod/${pods[0]}" --timeout=120s
  kubectl -n "$NAMESPACE" rollout status "deployment/guestbook-${component}" --timeout=300s
}
