#!/usr/bin/env bash
# make torture: the long crash test (tests/crash/crash.mjs, docs/reliability.md) on SQLite and on a
# PostgreSQL cluster of its own that is killed too. Environment:
#   TORTURE_ROUNDS (200)  TORTURE_SECONDS (3 per round)  TORTURE_BACKENDS ("sqlite postgres")
#   OTKLIK_BIN (./otklik)  CRASH_CITIZENS, CRASH_SEED, CRASH_KEEP, CRASH_VERBOSE (see crash.mjs)
# Each back end prints its figures (JSON) and any loss; the last line is `N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${OTKLIK_BIN:-./otklik}
if [[ ! -x "$bin" ]]; then
  echo "torture.sh: $bin is not an executable (make otklik, or set OTKLIK_BIN)" >&2
  exit 1
fi
OTKLIK_BIN=$(realpath "$bin")
export OTKLIK_BIN
if [[ ! -d node_modules/ajv ]]; then
  npm ci --no-audit --no-fund >&2
fi

rounds=${TORTURE_ROUNDS:-200}
seconds=${TORTURE_SECONDS:-3}
passed=0
failed=0
for backend in ${TORTURE_BACKENDS:-sqlite postgres}; do
  echo "== torture: $backend, $rounds rounds × $seconds s"
  # OTKLIK_TEST_PG unset: crash.mjs starts its own cluster, so it may kill PostgreSQL as well
  if env -u OTKLIK_TEST_PG OTKLIK_TEST_BACKEND="$backend" CRASH_ROUNDS="$rounds" CRASH_SECONDS="$seconds" \
    node tests/crash/crash.mjs; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
echo "torture: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
