#!/usr/bin/env bash
# bench/run.sh (make bench): intake and queue figures of Otklik with their ceilings, one table.
#   Intake: POST /api/appeals over HTTP (acknowledged after the durable group commit), SQLite and
#   PostgreSQL; ceilings in the same run: GET /livez (our trivial handler), nginx `return 200`,
#   raw appeal inserts (one transaction per row, and batched); the executor's queue read with
#   BENCH_QUEUE_ROWS appeals stored. Figures are for this machine and this run: compare ratios.
# Environment: BENCH_SECONDS (10), BENCH_CONNECTIONS (64), BENCH_QUEUE_ROWS (1000000),
#   BENCH_THREADS (server worker threads, 32), BENCH_QUEUE_LOW_CONNECTIONS (2: the queue read
#   again at low concurrency, the latency one executor sees), BENCH_PG=0 to skip PostgreSQL, OTKLIK_BIN,
#   BENCH_ASSIST_TRAIN_MAX (5000: the text engine trains on at most that many appeals at start,
#   so its start-up training does not run during the measurements).
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-64}
QROWS=${BENCH_QUEUE_ROWS:-1000000}
THREADS=${BENCH_THREADS:-32}
QCONNS_LOW=${BENCH_QUEUE_LOW_CONNECTIONS:-2}
DO_PG=${BENCH_PG:-1}
BIN=$(realpath "${OTKLIK_BIN:-./otklik}")
[[ -x "$BIN" ]] || { echo "bench: $BIN is not built (make otklik)" >&2; exit 1; }

need=()
command -v wrk >/dev/null || need+=(wrk)
[[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null || need+=(nginx-light)
if ((${#need[@]})); then
  echo "bench: installing ${need[*]}" >&2
  apt-get install -y "${need[@]}" >/dev/null 2>&1 || apt-get install -y wrk nginx >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d /tmp/otklik-bench.XXXXXX)
server_pid=
nginx_on=
pgdir=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [[ -n "$nginx_on" ]] && "$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -s stop 2>/dev/null || true
  if [[ -n "$pgdir" ]]; then tests/pg/cluster.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "bench: $*" >&2; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
declare -A R # results: R[key]=value

# wrk_run NAME URL [env…]: runs wrk with bench/intake.lua; stores rps/p50/p99/err in R.
# WRK_CONNS overrides the number of connections for one run.
wrk_run() {
  local name=$1 url=$2
  shift 2
  local out
  out=$(env "$@" wrk -t2 -c"${WRK_CONNS:-$CONNS}" -d"${SECS}s" --timeout 10s -s bench/intake.lua "$url" 2>"$tmp/wrk.err") || true
  local line
  line=$(grep '^BENCH ' <<<"$out" | tail -n 1)
  if [[ -z "$line" ]]; then
    log "$name: wrk failed: $(head -c 400 "$tmp/wrk.err")"
    R[$name.rps]=-; R[$name.p50]=-; R[$name.p99]=-; R[$name.err]=-
    return
  fi
  read -r _ rps p50 p99 n bad sock <<<"$line"
  R[$name.rps]=$rps; R[$name.p50]=$p50; R[$name.p99]=$p99; R[$name.err]=$((bad + sock))
  log "$name: $rps req/s, p50 $p50 ms, p99 $p99 ms, $n requests, $bad non-2xx, $sock socket errors"
  [[ -s "$tmp/wrk.err" ]] && head -n 3 "$tmp/wrk.err" >&2 || true
}

start_server() { # DB [extra args…]
  local db=$1
  shift
  port=$(free_port)
  OTKLIK_RATE_WRITE=1000000000 OTKLIK_RATE_READ=1000000000 OTKLIK_LOG_LEVEL=warn \
    OTKLIK_ASSIST_TRAIN_MAX=${BENCH_ASSIST_TRAIN_MAX:-5000} \
    OTKLIK_DATA_DIR="$tmp/data" "$BIN" serve --db "$db" --listen "127.0.0.1:$port" \
    --threads "$THREADS" "$@" >"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  log "server did not start: $(tail -c 1000 "$tmp/server.log")"
  exit 1
}
# wait_idle: waits until the machine is idle (under 10 % of its CPU busy for 3 s in a row, at
# most 900 s); prints the seconds waited.
wait_idle() {
  local t0 quiet=0 a b
  t0=$(date +%s)
  a=$(head -n 1 /proc/stat)
  while (($(date +%s) - t0 < 900)); do
    sleep 1
    b=$(head -n 1 /proc/stat)
    if awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); t = 0
        for (i = 2; i <= 11; i++) t += y[i] - x[i]
        idle = y[5] + y[6] - x[5] - x[6]; exit !(t > 0 && (t - idle) / t < 0.10) }'; then
      quiet=$((quiet + 1))
    else
      quiet=0
    fi
    a=$b
    ((quiet >= 3)) && break
  done
  echo $(($(date +%s) - t0))
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}
key_of() { tail -n 1 <<<"$1"; }
id_of() { # COLLECTION CODE
  curl -fsS "http://127.0.0.1:$port/api/$1?code=$2" | python3 -c 'import json,sys;print(json.load(sys.stdin)["items"][0]["id"])'
}

# One back end: raw inserts, then the server's intake and /livez.
run_backend() { # NAME URL_PREFIX (a database per stage: PREFIX + stage name)
  local b=$1 mkdb=$2
  local db
  db=$($mkdb raw)
  local n1=5000
  [[ $b == pg ]] && n1=3000
  R[$b.raw1]=$("$BIN" bench-raw --db "$db" --rows "$n1" --batch 1 2>/dev/null | python3 -c 'import json,sys;print(round(json.load(sys.stdin)["rows_per_s"]))')
  R[$b.rawb]=$("$BIN" bench-raw --db "$db" --rows 100000 --batch 1000 2>/dev/null | python3 -c 'import json,sys;print(round(json.load(sys.stdin)["rows_per_s"]))')
  log "$b raw inserts: ${R[$b.raw1]} rows/s (1 per transaction), ${R[$b.rawb]} rows/s (1000 per transaction)"

  db=$($mkdb intake)
  "$BIN" demo --db "$db" >/dev/null 2>&1
  local org key
  start_server "$db"
  org=$(id_of orgs klu-kaluga-adm)
  key=$(key_of "$("$BIN" apikey create --db "$db" --name bench --org "$org" --scopes operator 2>/dev/null)")
  local topic terr
  topic=$(id_of topics health-appointment)
  terr=$(id_of territories klu-kaluga)
  wrk_run "$b.livez" "http://127.0.0.1:$port/livez" BENCH_MODE=get
  wrk_run "$b.intake" "http://127.0.0.1:$port" BENCH_MODE=post BENCH_KEY="$key" BENCH_TOPIC="$topic" BENCH_TERRITORY="$terr"
  stop_server

  # The executor's queue with QROWS appeals stored.
  db=$($mkdb queue)
  local t0 gen first
  t0=$(date +%s)
  gen=$("$BIN" gen appeals --db "$db" --count "$QROWS" 2>/dev/null | tail -n 1)
  first=$(python3 -c 'import json,sys;print(json.loads(sys.argv[1])["first_org"])' "$gen")
  R[$b.gen]=$(python3 -c 'import json,sys;print(round(json.loads(sys.argv[1])["rows_per_s"]))' "$gen")
  log "$b gen: $gen ($(($(date +%s) - t0)) s)"
  key=$(key_of "$("$BIN" apikey create --db "$db" --name queue --org "$first" --scopes executor 2>/dev/null)")
  start_server "$db"
  # A server started on freshly generated appeals first catches up in the background (rollups
  # of every appeal, placing them in problems), using the CPU the reads would get. The queue is
  # measured in the steady state after that; the catch-up time is a figure of its own.
  R[$b.catchup]=$(wait_idle)
  log "$b catch-up after start: ${R[$b.catchup]} s"
  R[$b.qtotal]=$(curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/appeals?queue=org&limit=50" |
    python3 -c 'import json,sys;print(json.load(sys.stdin)["total"])' 2>/dev/null || echo '?')
  wrk_run "$b.queue" "http://127.0.0.1:$port/api/appeals?queue=org&limit=50" BENCH_MODE=get BENCH_KEY="$key"
  # the latency one executor sees when the server is not saturated
  WRK_CONNS=$QCONNS_LOW wrk_run "$b.queuelow" "http://127.0.0.1:$port/api/appeals?queue=org&limit=50" BENCH_MODE=get BENCH_KEY="$key"
  stop_server
}

sqlite_db() { echo "sqlite:$tmp/$1.db"; }
pg_db() {
  psql -X -q -d "$PGURL/postgres" -c "CREATE DATABASE bench_$1" >/dev/null
  echo "$PGURL/bench_$1"
}

# nginx `return 200 "ok"`: the ceiling of HTTP on this machine.
mkdir -p "$tmp/nginx/logs"
nport=$(free_port)
cat >"$tmp/nginx/nginx.conf" <<NGINX
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server { listen 127.0.0.1:$nport; location / { return 200 "ok"; } }
}
NGINX
"$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" 2>/dev/null && nginx_on=1
wrk_run nginx "http://127.0.0.1:$nport/" BENCH_MODE=get
"$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -s stop 2>/dev/null || true
nginx_on=

run_backend sqlite sqlite_db
if [[ $DO_PG == 1 ]]; then
  pgdir=$(mktemp -d /tmp/otklik-bench-pg.XXXXXX)
  PGURL=$(tests/pg/cluster.sh start "$pgdir")
  run_backend pg pg_db
fi

ratio() { python3 -c 'import sys
try: print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))
except Exception: print("-")' "$1" "$2"; }
v() { echo "${R[$1]:--}"; }

{
  echo
  echo "Otklik bench: $(nproc) cores, ${SECS}s per run, $CONNS connections, $THREADS server threads, $(date -u +%Y-%m-%dT%H:%MZ)"
  printf '%-44s %16s %16s\n' "measure" "SQLite" "PostgreSQL"
  printf '%-44s %16s %16s\n' "--------------------------------------------" "----------------" "----------------"
  row() { printf '%-44s %16s %16s\n' "$1" "$2" "$3"; }
  row "intake POST /api/appeals, appeals/s" "$(v sqlite.intake.rps)" "$(v pg.intake.rps)"
  row "intake p50 / p99, ms" "$(v sqlite.intake.p50) / $(v sqlite.intake.p99)" "$(v pg.intake.p50) / $(v pg.intake.p99)"
  row "intake errors (non-2xx + socket)" "$(v sqlite.intake.err)" "$(v pg.intake.err)"
  row "ceiling: GET /livez, req/s" "$(v sqlite.livez.rps)" "$(v pg.livez.rps)"
  row "ceiling: GET /livez p50 / p99, ms" "$(v sqlite.livez.p50) / $(v sqlite.livez.p99)" "$(v pg.livez.p50) / $(v pg.livez.p99)"
  row "ceiling: nginx return 200, req/s" "$(v nginx.rps)" "(same)"
  row "ceiling: raw insert, 1 row/transaction" "$(v sqlite.raw1)" "$(v pg.raw1)"
  row "ceiling: raw insert, 1000 rows/transaction" "$(v sqlite.rawb)" "$(v pg.rawb)"
  row "ratio intake / GET /livez" "$(ratio "$(v sqlite.intake.rps)" "$(v sqlite.livez.rps)")" "$(ratio "$(v pg.intake.rps)" "$(v pg.livez.rps)")"
  row "ratio intake / raw 1 row/tx" "$(ratio "$(v sqlite.intake.rps)" "$(v sqlite.raw1)")" "$(ratio "$(v pg.intake.rps)" "$(v pg.raw1)")"
  row "ratio intake / raw 1000 rows/tx" "$(ratio "$(v sqlite.intake.rps)" "$(v sqlite.rawb)")" "$(ratio "$(v pg.intake.rps)" "$(v pg.rawb)")"
  row "ratio GET /livez / nginx" "$(ratio "$(v sqlite.livez.rps)" "$(v nginx.rps)")" "$(ratio "$(v pg.livez.rps)" "$(v nginx.rps)")"
  row "gen appeals, rows/s (queue set-up)" "$(v sqlite.gen)" "$(v pg.gen)"
  row "catch-up after start on them, s" "$(v sqlite.catchup)" "$(v pg.catchup)"
  row "queue=org limit=50, $QROWS stored, req/s" "$(v sqlite.queue.rps)" "$(v pg.queue.rps)"
  row "queue p50 / p99, ms" "$(v sqlite.queue.p50) / $(v sqlite.queue.p99)" "$(v pg.queue.p50) / $(v pg.queue.p99)"
  row "queue at $QCONNS_LOW connections, req/s" "$(v sqlite.queuelow.rps)" "$(v pg.queuelow.rps)"
  row "queue at $QCONNS_LOW connections p50 / p99, ms" "$(v sqlite.queuelow.p50) / $(v sqlite.queuelow.p99)" "$(v pg.queuelow.p50) / $(v pg.queuelow.p99)"
  row "queue: open appeals of the executor's org" "$(v sqlite.qtotal)" "$(v pg.qtotal)"
  row "targets: intake 10,000/s SQLite, 5,000/s PG, p99 < 50 ms" "" ""
  row "target: queue read p99 < 5 ms (1 million stored)" "" ""
}
