#!/usr/bin/env bash
# test.sh: the whole test suite — type-check, lint, unit, integration and end-to-end tests —
# ending with one "N passed, N failed" line summed over every suite.
set -uo pipefail
cd "$(dirname "$0")/.."

failed_steps=()
step() {
  local name=$1; shift
  echo "== $name"
  if ! "$@"; then failed_steps+=("$name"); fi
}

step typecheck npx tsc --noEmit
step lint npx eslint .

pass=0; fail=0; skip=0
suite() {
  local name=$1; shift
  local out; out=$(mktemp)
  echo "== $name"
  # TAP output lets us add up the counts; the runner's own summary follows per suite.
  npx ava --tap "$@" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}
  local p f s
  p=$(grep -E '^# pass' "$out" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^# fail' "$out" | awk '{s+=$3} END {print s+0}')
  s=$(grep -E '^# skip' "$out" | awk '{s+=$3} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi  # a crash or timeout counts as a failure
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
  [ "$rc" -eq 0 ] || failed_steps+=("$name")
  rm -f "$out"
}

shopt -s globstar nullglob
unit=(pkg/**/*.test.ts cmd/**/*.test.ts)
integration=(test/integration/**/*.test.ts)
e2e=(test/e2e/**/*.test.ts)
[ ${#unit[@]} -gt 0 ] && suite unit "${unit[@]}"
[ ${#integration[@]} -gt 0 ] && suite integration --serial "${integration[@]}"
[ ${#e2e[@]} -gt 0 ] && [ -z "${SKIFF_SKIP_E2E:-}" ] && suite e2e --serial "${e2e[@]}"

echo
if [ ${#failed_steps[@]} -gt 0 ]; then echo "failed steps: ${failed_steps[*]}"; fi
echo "$pass passed, $fail failed, $skip skipped"
[ ${#failed_steps[@]} -eq 0 ]
