#!/usr/bin/env bash
# API tests against a real server: tests/run-api.sh sqlite|postgres [test files…]
# Runs tests/api/*.test.mjs with node's test runner, one file at a time; each file starts its own
# `otklik serve` on a fresh database. Binary: ${OTKLIK_BIN:-./otklik}.
# postgres: uses OTKLIK_TEST_PG (postgres://user@host:port) if set, else a temporary cluster that is
# removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

backend=${1:-}
case "$backend" in
sqlite | postgres) shift ;;
*)
  echo "usage: tests/run-api.sh sqlite|postgres [tests/api/x.test.mjs …]" >&2
  exit 2
  ;;
esac

bin=${OTKLIK_BIN:-./otklik}
if [[ ! -x "$bin" ]]; then
  echo "run-api.sh: $bin is not an executable (make otklik, or set OTKLIK_BIN)" >&2
  exit 1
fi
OTKLIK_BIN=$(realpath "$bin")
export OTKLIK_BIN
export OTKLIK_TEST_BACKEND=$backend

if [[ ! -d node_modules/ajv ]]; then
  npm ci --no-audit --no-fund >&2
fi

pgdir=
cleanup() {
  if [[ -n "$pgdir" ]]; then
    tests/pg/cluster.sh stop "$pgdir" || true
    rm -rf "$pgdir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $backend == postgres && -z "${OTKLIK_TEST_PG:-}" ]]; then
  pgdir=$(mktemp -d /tmp/otklik-pg.XXXXXX)
  OTKLIK_TEST_PG=$(tests/pg/cluster.sh start "$pgdir")
  echo "run-api.sh: temporary PostgreSQL at $OTKLIK_TEST_PG" >&2
fi
export OTKLIK_TEST_PG=${OTKLIK_TEST_PG:-}

# The store's unit tests that need a server (built by `make unit`) run here on PostgreSQL.
if [[ $backend == postgres && $# -eq 0 ]]; then
  for t in build/tests/store/test_store_send; do
    if [[ -x $t ]]; then
      echo "== $t (PostgreSQL)"
      "$t" --jobs 1 --short-filename
    fi
  done
fi

if [[ $# -gt 0 ]]; then
  files=("$@")
else
  files=(tests/api/*.test.mjs)
fi
node --test --test-concurrency=1 "${files[@]}"
