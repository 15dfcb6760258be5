#!/usr/bin/env bash
# Stops a workflow job with one clear error when the GitHub App it pushes or opens pull
# requests with is not configured (docs/delivery.md, "The GitHub App"). The job passes
# BOT_APP_CLIENT_ID_SET and BOT_APP_PRIVATE_KEY_SET, "true" when the repository secret of that
# name is set, so neither value reaches this step.
set -o errexit -o nounset -o pipefail

main() {
  local missing=()
  [[ "${BOT_APP_CLIENT_ID_SET:-}" == "true" ]] || missing+=(BOT_APP_CLIENT_ID)
  [[ "${BOT_APP_PRIVATE_KEY_SET:-}" == "true" ]] || missing+=(BOT_APP_PRIVATE_KEY)
  if [[ ${#missing[@]} -gt 0 ]]; then
    local what="the secret ${missing[0]} is"
    [[ ${#missing[@]} -eq 1 ]] || what="the secrets ${missing[0]} and ${missing[1]} are"
    # A workflow command: GitHub shows it as the run's error annotation.
    echo "::error title=GitHub App not configured::${what} not set (Settings → Secrets and variables → Actions): create the App and set both as docs/delivery.md (The GitHub App) says"
    exit 1
  fi
  echo "GitHub App configured: BOT_APP_CLIENT_ID and BOT_APP_PRIVATE_KEY are set"
}

main "$@"
