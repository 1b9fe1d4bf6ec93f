#!/usr/bin/env bash
# web.sh — throughput of `apiprobe serve` against nginx (wrk -t2 -c64), on 127.0.0.1 only.
#
# 1. http-peer.sh's baseline: nginx serving a fixed ~40 KB JSON file, then the same wrk run against
#    GET /api/v1/codes and GET / of apiprobe (ratio target/nginx).
# 2. Same bytes: nginx serving exactly the bodies apiprobe sends for /api/v1/codes, / and /reference, as
#    static files; nginx and apiprobe alternate for --rounds rounds and each figure is the median, so a
#    busy machine slows both sides of a ratio alike.
# Uses a release build; prints figures, then one JSON line.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bench/web.sh [--bin PATH] [--duration 10s] [--rounds 1] [--no-peer] [--peer-dir DIR] [--help]
  --bin PATH       the apiprobe binary (default: target/release/apiprobe; build it with
                   `cargo build --release -p apiprobe-cli`)
  --duration D     wrk duration per run (default 10s)
  --rounds N       alternating nginx/apiprobe rounds per path in part 2; medians reported (default 1)
  --no-peer        skip part 1 (the http-peer.sh baseline)
  --peer-dir DIR   where http-peer.sh lives (default: ../shared/bench next to the repository)
Needs wrk, nginx, curl and python3.
USAGE
}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/target/release/apiprobe"; DUR=10s; ROUNDS=1; PEER=1; PEER_DIR="$ROOT/../shared/bench"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --bin) BIN="$2"; shift 2 ;;
    --duration) DUR="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --no-peer) PEER=0; shift ;;
    --peer-dir) PEER_DIR="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
export PATH="/usr/sbin:/sbin:$PATH"
for t in wrk nginx curl python3; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }; done
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release -p apiprobe-cli)" >&2; exit 2; }
[ "$PEER" = 0 ] || [ -x "$PEER_DIR/http-peer.sh" ] || { echo "no http-peer.sh in $PEER_DIR (pass --peer-dir)" >&2; exit 2; }

TMP="$(mktemp -d /tmp/apiprobe-web-bench.XXXXXX)"
SERVE_PID=""; NGINX_PID=""
cleanup() {
  [ -z "$SERVE_PID" ] || { kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; }
  [ -z "$NGINX_PID" ] || { kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; }
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_up() { for _ in $(seq 1 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "$1 did not come up" >&2; return 1; }
# CPU time (user + system, clock ticks) used so far by a process and its children processes' own
# threads: for nginx, the master and its workers.
ticks() {
  local total=0 p
  for p in "$@" $(pgrep -P "$1" 2>/dev/null); do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
TCK=$(getconf CLK_TCK)
# One wrk run against $1 served by process $2: "req/s cpu-us-per-request". CPU per request is the
# steadier figure on a busy machine: other load slows a server down but does not make it work more.
rps() {
  local before after out
  before=$(ticks "$2")
  out=$(wrk -t2 -c64 -d"$DUR" "$1" 2>&1)
  after=$(ticks "$2")
  echo "$out" | awk -v t=$((after - before)) -v hz="$TCK" '
    /requests in/ {n = $1} /^Requests\/sec:/ {r = $2}
    END {printf "%s %.1f\n", r, (n > 0 ? t * 1e6 / hz / n : 0)}'
}

PORT=$(free_port)
"$BIN" serve --addr "127.0.0.1:$PORT" 2>"$TMP/serve.err" &
SERVE_PID=$!
BASE="http://127.0.0.1:$PORT"
wait_up "$BASE/healthz"

# Same bytes, served by nginx as static files.
mkdir -p "$TMP/www/api/v1" "$TMP/logs" "$TMP/tmp"
curl -fsS "$BASE/api/v1/codes" -o "$TMP/www/api/v1/codes.json"
curl -fsS "$BASE/" -o "$TMP/www/index.html"
curl -fsS "$BASE/reference" -o "$TMP/www/reference.html"
CODES_BYTES=$(stat -c %s "$TMP/www/api/v1/codes.json"); HOME_BYTES=$(stat -c %s "$TMP/www/index.html")
REF_BYTES=$(stat -c %s "$TMP/www/reference.html")
chmod -R a+rX "$TMP"
NPORT=$(free_port)
USER_LINE=""; [ "$(id -u)" -ne 0 ] || USER_LINE="user $(id -un) $(id -gn);"
cat >"$TMP/nginx.conf" <<CONF
$USER_LINE
worker_processes auto;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  client_body_temp_path $TMP/tmp/body; proxy_temp_path $TMP/tmp/proxy;
  fastcgi_temp_path $TMP/tmp/fcgi; uwsgi_temp_path $TMP/tmp/uwsgi; scgi_temp_path $TMP/tmp/scgi;
  types { application/json json; text/html html; }
  server { listen 127.0.0.1:$NPORT; root $TMP/www; index index.html; }
}
CONF
nginx -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/logs/error.log" 2>"$TMP/logs/start.err" &
NGINX_PID=$!
wait_up "http://127.0.0.1:$NPORT/api/v1/codes.json"

echo "apiprobe serve $BASE ($(nproc) cores; wrk -t2 -c64 -d$DUR; no Accept-Encoding, so identity bodies)"
echo "== 1. http-peer.sh baseline (nginx, fixed ~40 KB JSON)"
PEER_CODES=null; PEER_HOME=null
if [ "$PEER" = 1 ]; then
  PEER_CODES=$("$PEER_DIR/http-peer.sh" --duration "$DUR" --target "$BASE/api/v1/codes" | tee /dev/stderr | tail -n1)
  PEER_HOME=$("$PEER_DIR/http-peer.sh" --duration "$DUR" --target "$BASE/" | tee /dev/stderr | tail -n1)
fi

echo "== 2. same bytes: nginx static files vs apiprobe ($ROUNDS alternating rounds, medians)"
ratio() { python3 -c "print(round(float('$1')/float('$2'),3))"; }
median() { python3 -c 'import statistics,sys; print(round(statistics.median(map(float, sys.argv[1:])), 3))' "$@"; }
# Prints the medians over the rounds: nginx req/s, apiprobe req/s, their ratio, then the server CPU
# microseconds per request of nginx and of apiprobe.
pair() {
  local ns=() as=() rs=() nc=() ac=() n a ncpu acpu
  for _ in $(seq 1 "$ROUNDS"); do
    read -r n ncpu < <(rps "$1" "$NGINX_PID"); read -r a acpu < <(rps "$2" "$SERVE_PID")
    ns+=("$n"); as+=("$a"); rs+=("$(ratio "$a" "$n")"); nc+=("$ncpu"); ac+=("$acpu")
  done
  echo "$(median "${ns[@]}") $(median "${as[@]}") $(median "${rs[@]}") $(median "${nc[@]}") $(median "${ac[@]}")"
}
read -r N_CODES A_CODES R_CODES NC_CODES AC_CODES < <(pair "http://127.0.0.1:$NPORT/api/v1/codes.json" "$BASE/api/v1/codes")
read -r N_HOME A_HOME R_HOME NC_HOME AC_HOME < <(pair "http://127.0.0.1:$NPORT/" "$BASE/")
read -r N_REF A_REF R_REF NC_REF AC_REF < <(pair "http://127.0.0.1:$NPORT/reference.html" "$BASE/reference")
line() { echo "GET $1 ($2 bytes): nginx $3 req/s, apiprobe $4 req/s, ratio $5; server CPU per request: nginx $6 us, apiprobe $7 us"; }
line /api/v1/codes "$CODES_BYTES" "$N_CODES" "$A_CODES" "$R_CODES" "$NC_CODES" "$AC_CODES"
line / "$HOME_BYTES" "$N_HOME" "$A_HOME" "$R_HOME" "$NC_HOME" "$AC_HOME"
line /reference "$REF_BYTES" "$N_REF" "$A_REF" "$R_REF" "$NC_REF" "$AC_REF"
echo "{\"web_bench\":{\"peer_codes\":$PEER_CODES,\"peer_home\":$PEER_HOME,\"same_bytes\":{\"rounds\":$ROUNDS,\"codes_bytes\":$CODES_BYTES,\"nginx_codes_rps\":$N_CODES,\"apiprobe_codes_rps\":$A_CODES,\"codes_ratio\":$R_CODES,\"nginx_codes_cpu_us\":$NC_CODES,\"apiprobe_codes_cpu_us\":$AC_CODES,\"home_bytes\":$HOME_BYTES,\"nginx_home_rps\":$N_HOME,\"apiprobe_home_rps\":$A_HOME,\"home_ratio\":$R_HOME,\"nginx_home_cpu_us\":$NC_HOME,\"apiprobe_home_cpu_us\":$AC_HOME,\"reference_bytes\":$REF_BYTES,\"nginx_reference_rps\":$N_REF,\"apiprobe_reference_rps\":$A_REF,\"reference_ratio\":$R_REF,\"nginx_reference_cpu_us\":$NC_REF,\"apiprobe_reference_cpu_us\":$AC_REF}}}"
