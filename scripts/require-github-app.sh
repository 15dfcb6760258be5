#!/usr/bin/env bash
# Stops a workflow job with one clear error when the GitHub App it pushes or opens pull
# requests with is not configured (docs/delivery.md, "The GitHub App"). The job passes
# BOT_APP_CLIENT_ID (the repository variable) and BOT_APP_PRIVATE_KEY_SET ("true" when the
# secret BOT_APP_PRIVATE_KEY is set), so the key itself never reaches this step.
set -o errexit -o nounset -o pipefail

main() {
  local missing=()
  [[ -n "${BOT_APP_CLIENT_ID:-}" ]] || missing+=("the variable BOT_APP_CLIENT_ID")
  [[ "${BOT_APP_PRIVATE_KEY_SET:-}" == "true" ]] || missing+=("the secret BOT_APP_PRIVATE_KEY")
  if [[ ${#missing[@]} -gt 0 ]]; then
    local what="${missing[0]}"
    [[ ${#missing[@]} -eq 1 ]] || what="${missing[0]} and ${missing[1]}"
    # A workflow command: GitHub shows it as the run's error annotation.
    echo "::error title=GitHub App not configured::${what} missing in Settings → Secrets and variables → Actions: create the App and set both as docs/delivery.md (The GitHub App) says"
    exit 1
  fi
  echo "GitHub App configured: client ID ${BOT_APP_CLIENT_ID}"
}

main "$@"
