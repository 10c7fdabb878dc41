#!/usr/bin/env bash
# bench/dashboard.sh (make bench-dashboard): dashboard requests over many stored appeals.
#   For each back end: fills a fresh database through the bulk path (`otklik gen appeals
#   --spread`: every region, 4 synthetic municipalities and 3 bodies each, 60 topics, the last
#   BENCH_DASH_DAYS days), builds the rollups (`otklik analytics rebuild`), starts the server and
#   measures each kind of dashboard request (bench/dashboard.mjs: p50/p95/p99, 2 clients).
#   Reference in the same run: the same question asked of the raw appeals table (a scan), timed
#   by the database's own client.
# Environment: BENCH_DASH_APPEALS (10000000), BENCH_DASH_DAYS (730), BENCH_DASH_REQUESTS (200),
#   BENCH_DASH_CLIENTS (2), BENCH_PG=0 to skip PostgreSQL, BENCH_SQLITE=0 to skip SQLite, OTKLIK_BIN, TMPDIR (needs ~12 GB for
#   10 million appeals on each back end).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_DASH_APPEALS:-10000000}
DAYS=${BENCH_DASH_DAYS:-730}
DO_PG=${BENCH_PG:-1}
DO_SQLITE=${BENCH_SQLITE:-1}
BIN=$(realpath "${OTKLIK_BIN:-./otklik}")
[[ -x "$BIN" ]] || { echo "bench: $BIN is not built (make otklik)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/otklik-dash.XXXXXX")
server_pid=
pgdir=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  if [[ -n "$pgdir" ]]; then tests/pg/cluster.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
log() { echo "bench: $*" >&2; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
now_s() { date +%s.%N; }

# sql BACKEND DB QUERY: one query, unaligned output
sql() {
  if [[ $1 == sqlite ]]; then sqlite3 "${2#sqlite:}" "$3"; else psql -X -qtA -d "$2" -c "$3"; fi
}

run_backend() {
  local be=$1 db=$2
  log "$be: generating $N appeals over $DAYS days"
  local t0 t1 t2
  t0=$(now_s)
  "$BIN" gen appeals --db "$db" --count "$N" --spread "$DAYS" >"$tmp/gen.json" 2>"$tmp/gen.err" || { cat "$tmp/gen.err" >&2; return 1; }
  t1=$(now_s)
  log "$be: building the rollups"
  "$BIN" analytics rebuild --db "$db" >"$tmp/rebuild.json" 2>"$tmp/rebuild.err" || { cat "$tmp/rebuild.err" >&2; return 1; }
  t2=$(now_s)
  local cells
  cells=$(sql "$be" "$db" "SELECT COUNT(*) FROM stat_cells")
  echo "{\"backend\":\"$be\",\"appeals\":$N,\"generate_s\":$(echo "$t1 - $t0" | bc),\"rebuild_s\":$(echo "$t2 - $t1" | bc),\"cells\":$cells}"
  # the ids the requests pick from
  local regions munis topics cats bodies
  regions=$(sql "$be" "$db" "SELECT string_agg(CAST(id AS TEXT), ',') FROM territories WHERE kind = 'region'" 2>/dev/null || sql "$be" "$db" "SELECT group_concat(id) FROM territories WHERE kind = 'region'")
  munis=$(sql "$be" "$db" "SELECT string_agg(CAST(id AS TEXT), ',') FROM territories WHERE code LIKE 'gen-m-%'" 2>/dev/null || sql "$be" "$db" "SELECT group_concat(id) FROM territories WHERE code LIKE 'gen-m-%'")
  topics=$(sql "$be" "$db" "SELECT string_agg(CAST(id AS TEXT), ',') FROM topics WHERE code LIKE 'gen-t-%'" 2>/dev/null || sql "$be" "$db" "SELECT group_concat(id) FROM topics WHERE code LIKE 'gen-t-%'")
  cats=$(sql "$be" "$db" "SELECT string_agg(CAST(id AS TEXT), ',') FROM categories WHERE code LIKE 'gen-c-%'" 2>/dev/null || sql "$be" "$db" "SELECT group_concat(id) FROM categories WHERE code LIKE 'gen-c-%'")
  bodies=$(sql "$be" "$db" "SELECT string_agg(CAST(id AS TEXT), ',') FROM orgs WHERE code LIKE 'gen-b-%'" 2>/dev/null || sql "$be" "$db" "SELECT group_concat(id) FROM orgs WHERE code LIKE 'gen-b-%'")
  echo "{\"regions\":[$regions],\"munis\":[$munis],\"topics\":[$topics],\"categories\":[$cats],\"bodies\":[$bodies]}" >"$tmp/ids.json"

  # reference: the country's received/answered for a year straight from the appeals table
  local since r0 r1
  since=$(( ($(date +%s) - 365 * 86400) * 1000 ))
  r0=$(now_s)
  sql "$be" "$db" "SELECT COUNT(*), SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END) FROM appeals WHERE created_at >= $since" >/dev/null
  r1=$(now_s)
  echo "{\"backend\":\"$be\",\"reference\":\"scan of appeals: country, 365 days (received, answered)\",\"ms\":$(echo "($r1 - $r0) * 1000" | bc)}"

  local port
  port=$(free_port)
  # the text engine learns from and indexes only the newest 5,000 appeals: this measures the
  # dashboard, not the similarity index (which holds every appeal by default)
  OTKLIK_LOG_LEVEL=warn OTKLIK_ASSIST_TRAIN_MAX=5000 OTKLIK_ASSIST_INDEX_MAX=5000 "$BIN" serve --db "$db" --listen "127.0.0.1:$port" --demo >"$tmp/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
  local rss
  node bench/dashboard.mjs "http://127.0.0.1:$port" "$tmp/ids.json" | sed "s/^{/{\"backend\":\"$be\",/"
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
  echo "{\"backend\":\"$be\",\"server_peak_rss_mb\":$((rss / 1024))}"
  kill "$server_pid"
  for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true; server_pid=
}

if [[ $DO_SQLITE == 1 ]]; then
  run_backend sqlite "sqlite:$tmp/dash.db"
  rm -f "$tmp"/dash.db*
fi
if [[ $DO_PG == 1 ]]; then
  pgdir=$(mktemp -d "${TMPDIR:-/tmp}/otklik-dash-pg.XXXXXX")
  base=$(tests/pg/cluster.sh start "$pgdir")
  psql -X -q -d "$base/postgres" -c "CREATE DATABASE otklik_dash" >/dev/null
  run_backend postgres "$base/otklik_dash"
fi
