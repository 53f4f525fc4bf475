#!/usr/bin/env bash
# Runs `nx affected` for the given targets against a base derived for CI:
#   1. $NX_BASE when set (e.g. the previous successful commit your CI remembers);
#   2. otherwise the merge base of HEAD with main (origin/main when the remote branch exists);
#   3. otherwise (no main at all, e.g. a shallow clone) HEAD~1, and if that is missing too, every project.
# $NX_HEAD defaults to HEAD. Usage: tools/ci/affected.sh [-t targets] [extra nx args]
#        tools/ci/affected.sh --print-base   (prints the base it would use and exits)
set -euo pipefail

derive_base() {
  if [[ -n "${NX_BASE:-}" ]]; then echo "$NX_BASE"; return; fi
  local ref
  for ref in origin/main main; do
    if git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
      git merge-base "$ref" HEAD && return
    fi
  done
  if git rev-parse --verify --quiet 'HEAD~1^{commit}' >/dev/null; then git rev-parse HEAD~1; return; fi
  echo ""
}

base="$(derive_base)"
if [[ "${1:-}" == "--print-base" ]]; then echo "${base:-<all>}"; exit 0; fi

targets="lint,test,build,typecheck"
if [[ "${1:-}" == "-t" ]]; then targets="$2"; shift 2; fi

if [[ -z "$base" ]]; then
  echo "affected: no base commit found; running every project" >&2
  exec npx nx run-many -t "$targets" "$@"
fi
echo "affected: base=$base head=${NX_HEAD:-HEAD}" >&2
exec npx nx affected -t "$targets" --base="$base" --head="${NX_HEAD:-HEAD}" "$@"
