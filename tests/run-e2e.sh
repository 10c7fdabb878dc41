#!/bin/sh
# run-e2e.sh: browser tests. Starts `otklik serve --demo` on a fresh SQLite database and a free port,
# runs tests/e2e/*.test.mjs in headless Debian chromium (playwright-core), stops the server afterwards.
#   OTKLIK_BIN=path      server binary (default ./otklik)
#   OTKLIK_E2E_MOCK=1    use the JavaScript stand-in tests/e2e/mock/server.mjs instead (UI work without the C server)
#   OTKLIK_E2E_BASE=url  test an already running server (no server is started)
#   extra arguments are passed to `node --test` (e.g. a file name)
set -eu
cd "$(dirname "$0")/.."

CHROMIUM=${OTKLIK_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	echo "run-e2e: $CHROMIUM not found; install Debian's chromium (tools/install-deps.sh or: apt-get install chromium)" >&2
	exit 2
fi
if [ ! -d node_modules/playwright-core ]; then
	echo "run-e2e: node_modules/playwright-core missing; run: npm ci" >&2
	exit 2
fi

files=${*:-$(ls tests/e2e/*.test.mjs)}

if [ -n "${OTKLIK_E2E_BASE:-}" ]; then
	exec node --test --test-concurrency=1 $files
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/otklik-e2e.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
base="http://127.0.0.1:$port"

if [ "${OTKLIK_E2E_MOCK:-0}" = 1 ]; then
	node tests/e2e/mock/server.mjs --listen "127.0.0.1:$port" 2>"$tmp/server.log" &
else
	bin=${OTKLIK_BIN:-./otklik}
	if [ ! -x "$bin" ]; then
		echo "run-e2e: $bin not found; build it with: make otklik" >&2
		exit 2
	fi
	OTKLIK_DATA_DIR="$tmp/data" "$bin" serve --db "sqlite:$tmp/db" --listen "127.0.0.1:$port" --demo 2>"$tmp/server.log" &
fi
pid=$!

i=0
until curl -fsS "$base/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 300 ]; then
		echo "run-e2e: the server did not become healthy at $base; its log:" >&2
		tail -n 40 "$tmp/server.log" >&2
		exit 1
	fi
	sleep 0.1
done

status=0
OTKLIK_E2E_BASE=$base OTKLIK_E2E_TMP=$tmp node --test --test-concurrency=1 $files || status=$?
if [ $status -ne 0 ]; then
	echo "run-e2e: failed; last server log lines:" >&2
	tail -n 20 "$tmp/server.log" >&2
fi
exit $status
