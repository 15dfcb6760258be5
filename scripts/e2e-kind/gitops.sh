# shellcheck shell=bash
# The GitOps loop itself: a commit that Argo CD applies, and a hand deletion it undoes.
# Sourced by scripts/e2e-kind.sh.

readonly SCALED_BACKEND_REPLICAS=2

# Argo CD follows branch GIT_BRANCH of the run's git server (same revision first, so nothing
# changes), then the run commits backend replicas 2 there and waits for Argo CD to apply it.
show_gitops_loop() {
  start_git_server
  apply_application "$GIT_URL" "$GIT_BRANCH"
  wait_for_application "$E2E_REVISION" "$GIT_URL"
  commit_replicas "guestbook-backend=${SCALED_BACKEND_REPLICAS}"
  log "committed ${CHANGE_REVISION:0:12} (guestbook-backend: ${SCALED_BACKEND_REPLICAS} replicas); refreshing as a webhook would"
  refresh_application
  wait_for_application "$CHANGE_REVISION" "$GIT_URL"
  kubectl -n "$NAMESPACE" rollout status deployment/guestbook-backend --timeout=300s
  local ready
  ready="$(kubectl -n "$NAMESPACE" get deployment guestbook-backend -o jsonpath='{.spec.replicas}/{.status.readyReplicas}')"
  [[ "$ready" == "${SCALED_BACKEND_REPLICAS}/${SCALED_BACKEND_REPLICAS}" ]] ||
    fail "guestbook-backend has ${ready} (spec/ready) replicas after Argo CD applied ${CHANGE_REVISION:0:12}"
  echo "ok: Argo CD applied the commit; guestbook-backend runs ${ready} (spec/ready) replicas"
}

# Deletes the frontend Deployment by hand; self-heal must bring a new one back, whole.
show_self_heal() {
  local before after="" deadline
  before="$(kubectl -n "$NAMESPACE" get deployment guestbook-frontend -o jsonpath='{.metadata.uid}')"
  log "self-heal: deleting deployment/guestbook-frontend by hand"
  kubectl -n "$NAMESPACE" delete deployment guestbook-frontend --wait=true
  deadline=$((SECONDS + SYNC_TIMEOUT))
  until [[ -n "$after" && "$after" != "$before" ]]; do
    ((SECONDS < deadline)) || fail "Argo CD did not recreate deployment/guestbook-frontend within ${SYNC_TIMEOUT} s"
    sleep 2
    after="$(kubectl -n "$NAMESPACE" get deployment guestbook-frontend -o jsonpath='{.metadata.uid}' 2>/dev/null || true)"
  done
  kubectl -n "$NAMESPACE" rollout status deployment/guestbook-frontend --timeout=300s
  wait_for_application "$CHANGE_REVISION" "$GIT_URL"
  echo "ok: Argo CD recreated deployment/guestbook-frontend (uid ${before} → ${after})"
}
