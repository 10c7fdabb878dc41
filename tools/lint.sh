#!/usr/bin/env bash
# lint.sh: project rules a compiler does not check: banned functions, file headers, formatting.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
files=$(find src tests/unit tools fuzz -path fuzz/out -prune -o -name '*.[ch]' -print 2>/dev/null | sort)
# Banned: unbounded string functions (CONVENTIONS.md).
if grep -nE '\b(sprintf|vsprintf|strcpy|strcat|gets)\s*\(' $files | grep -v '^\S*:\s*//' ; then
  echo "lint: banned function (use snprintf/memcpy/buf_*)"; fail=1
fi
# Each file opens with a one-line comment saying what it is.
for f in $(find src -name '*.[ch]'); do
  head -1 "$f" | grep -q '^/\* ' || { echo "lint: $f does not open with a /* one-line */ comment"; fail=1; }
done
# SQL only in src/store.
if grep -lE '"(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM) ' $(find src -name '*.c' -not -path 'src/store/*'); then
  echo "lint: SQL outside src/store"; fail=1
fi
# Formatting (report only the files that differ).
if command -v clang-format >/dev/null; then
  for f in $(find src -name '*.[ch]'); do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "lint: $f is not clang-formatted (make fmt)"
  done
fi
exit $fail
