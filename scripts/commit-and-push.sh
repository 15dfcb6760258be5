#!/usr/bin/env bash
# Commits PATH... with MESSAGE and pushes the commit to the current branch on origin. When the
# push is refused because origin moved on (a merge landed meanwhile), rebases onto origin and
# tries again, PUSH_ATTEMPTS times in all (default 3). Nothing changed: no commit, exit 0.
# Any other refusal (a protected branch, a ruleset, a hook) or a rebase conflict: exit 1 with
# git's own message, never a silent success. The images workflow bumps overlays/dev with it.
set -o errexit -o nounset -o pipefail

readonly attempts="${PUSH_ATTEMPTS:-3}"

usage() {
  echo "usage: scripts/commit-and-push.sh MESSAGE PATH...   (PUSH_ATTEMPTS, default 3)"
}

fail() {
  echo "commit-and-push.sh: $*" >&2
  exit 1
}

# After a refused push: true when origin's branch has commits HEAD does not, so a rebase can help.
origin_moved() {
  git fetch --quiet origin "$1"
  ! git merge-base --is-ancestor FETCH_HEAD HEAD
}

main() {
  if [[ $# -lt 2 ]]; then
    usage >&2
    exit 2
  fi
  [[ "$attempts" =~ ^[1-9][0-9]*$ ]] || fail "PUSH_ATTEMPTS must be a positive whole number, not \"$attempts\""
  local message="$1"
  shift
  local branch
  branch=$(git symbolic-ref --quiet --short HEAD) || fail "HEAD is detached: check out the branch to push to"

  git add -- "$@"
  if git diff --cached --quiet; then
    echo "nothing changed in $*: no commit"
    return 0
  fi
  git commit --quiet --message "$message"

  local attempt
  for ((attempt = 1; attempt <= attempts; attempt++)); do
    if git push --quiet origin "HEAD:refs/heads/${branch}"; then
      echo "pushed $(git rev-parse --short HEAD) to ${branch} (attempt ${attempt} of ${attempts})"
      return 0
    fi
    origin_moved "$branch" || fail "origin refused the push to ${branch} (see git's message above): not a race another push can fix"
    ((attempt < attempts)) || break
    echo "origin's ${branch} moved on: rebasing and trying again"
    if ! git rebase --quiet FETCH_HEAD; then
      git rebase --abort
      fail "rebasing onto origin's ${branch} conflicts with a change made there: nothing pushed"
    fi
  done
  fail "origin's ${branch} kept moving: gave up after ${attempts} attempt(s), nothing pushed"
}

main "$@"
