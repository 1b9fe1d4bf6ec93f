#!/usr/bin/env bash
# web.sh — throughput of `apiprobe serve` against nginx (wrk -t2 -c64), on 127.0.0.1 only.
#
# 1. http-peer.sh's baseline: nginx serving a fixed ~40 KB JSON file, then the same wrk run against
#    GET /api/v1/codes and GET / of apiprobe (ratio target/nginx).
# 2. Same bytes: nginx serving exactly the bodies apiprobe sends for /api/v1/codes, / and /reference, as
#    static files.
# Uses a release build; prints figures, then one JSON line.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bench/web.sh [--bin PATH] [--duration 10s] [--peer-dir DIR] [--help]
  --bin PATH       the apiprobe binary (default: target/release/apiprobe; build it with
                   `cargo build --release -p apiprobe-cli`)
  --duration D     wrk duration per run (default 10s)
  --peer-dir DIR   where http-peer.sh lives (default: ../shared/bench next to the repository)
Needs wrk, nginx, curl and python3.
USAGE
}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/target/release/apiprobe"; DUR=10s; PEER_DIR="$ROOT/../shared/bench"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --bin) BIN="$2"; shift 2 ;;
    --duration) DUR="$2"; shift 2 ;;
    --peer-dir) PEER_DIR="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
export PATH="/usr/sbin:/sbin:$PATH"
for t in wrk nginx curl python3; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }; done
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release -p apiprobe-cli)" >&2; exit 2; }
[ -x "$PEER_DIR/http-peer.sh" ] || { echo "no http-peer.sh in $PEER_DIR (pass --peer-dir)" >&2; exit 2; }

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
rps() { wrk -t2 -c64 -d"$DUR" "$1" 2>&1 | awk '/^Requests\/sec:/ {print $2}'; }

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
PEER_CODES=$("$PEER_DIR/http-peer.sh" --duration "$DUR" --target "$BASE/api/v1/codes" | tee /dev/stderr | tail -n1)
PEER_HOME=$("$PEER_DIR/http-peer.sh" --duration "$DUR" --target "$BASE/" | tee /dev/stderr | tail -n1)

echo "== 2. same bytes: nginx static files vs apiprobe"
N_CODES=$(rps "http://127.0.0.1:$NPORT/api/v1/codes.json"); A_CODES=$(rps "$BASE/api/v1/codes")
N_HOME=$(rps "http://127.0.0.1:$NPORT/"); A_HOME=$(rps "$BASE/")
N_REF=$(rps "http://127.0.0.1:$NPORT/reference.html"); A_REF=$(rps "$BASE/reference")
ratio() { python3 -c "print(round(float('$1')/float('$2'),3))"; }
echo "GET /api/v1/codes ($CODES_BYTES bytes): nginx $N_CODES req/s, apiprobe $A_CODES req/s, ratio $(ratio "$A_CODES" "$N_CODES")"
echo "GET / ($HOME_BYTES bytes): nginx $N_HOME req/s, apiprobe $A_HOME req/s, ratio $(ratio "$A_HOME" "$N_HOME")"
echo "GET /reference ($REF_BYTES bytes): nginx $N_REF req/s, apiprobe $A_REF req/s, ratio $(ratio "$A_REF" "$N_REF")"
echo "{\"web_bench\":{\"peer_codes\":$PEER_CODES,\"peer_home\":$PEER_HOME,\"same_bytes\":{\"codes_bytes\":$CODES_BYTES,\"nginx_codes_rps\":$N_CODES,\"apiprobe_codes_rps\":$A_CODES,\"home_bytes\":$HOME_BYTES,\"nginx_home_rps\":$N_HOME,\"apiprobe_home_rps\":$A_HOME,\"reference_bytes\":$REF_BYTES,\"nginx_reference_rps\":$N_REF,\"apiprobe_reference_rps\":$A_REF}}}"
