#!/usr/bin/env bash
# Scale benchmark of `apiprobe monitor`: N checks at an interval against a local nginx, for some
# minutes, with SQLite (one process) or PostgreSQL (two processes, one location, sharing the checks).
#
#   bench/monitor.sh [sqlite|postgres] [CHECKS=10000] [INTERVAL_S=10] [SECONDS=600]
#
# Reports, from the monitor's own health lines (one a minute): start lateness p99 and max, missed
# slots, runs and runs stored; sampled RSS of each process; database size and its growth per day.
# Needs nginx (and PostgreSQL 15+ for the postgres mode) and a release build:
#   cargo build --release -p apiprobe-cli
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-sqlite}
CHECKS=${2:-10000}
INTERVAL=${3:-10}
SECONDS_RUN=${4:-600}
BIN=${APIPROBE_BIN:-target/release/apiprobe}
[ -x "$BIN" ] || { echo "build first: cargo build --release -p apiprobe-cli" >&2; exit 2; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "nginx is not installed" >&2; exit 2; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  if [ -n "${PGDATA_DIR:-}" ]; then runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

NGINX_PORT=$(free_port)
cat > "$WORK/nginx.conf" <<NGX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_timeout 0;
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location / { default_type application/json; return 200 '{"ok":true}'; }
  }
}
NGX
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK"

{
  echo "[defaults]"
  echo "interval = \"${INTERVAL}s\""
  echo "timeout = \"5s\""
  echo "expect_status = 200"
  for i in $(seq 1 "$CHECKS"); do
    printf '[[check]]\nname = "c%05d"\nurl = "http://127.0.0.1:%s/c/%d"\n' "$i" "$NGINX_PORT" "$i"
  done
} > "$WORK/bench.toml"

ulimit -n 65536 2>/dev/null || true
start_monitor() { # $1 = db url, $2 = log file
  APIPROBE_LOG=info "$BIN" monitor "$WORK/bench.toml" --db "$1" --addr 127.0.0.1:0 --location bench \
    >/dev/null 2>"$2" &
  PIDS+=($!)
}

case "$MODE" in
  sqlite)
    DB="sqlite:$WORK/bench.db"
    start_monitor "$DB" "$WORK/m1.log"
    ;;
  postgres)
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    PGDATA_DIR="$WORK/pg"
    mkdir -p "$PGDATA_DIR" && chown -R postgres:postgres "$WORK"
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA_DIR" -A trust -U postgres --no-sync >/dev/null
    PGPORT=$(free_port)
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$WORK/pg.log" -w \
      -o "-k $WORK -p $PGPORT -c listen_addresses=127.0.0.1 -c synchronous_commit=off" start >/dev/null
    DB="postgres://postgres@127.0.0.1:$PGPORT/postgres"
    start_monitor "$DB" "$WORK/m1.log"
    sleep 2
    start_monitor "$DB" "$WORK/m2.log"
    ;;
  *) echo "mode: sqlite or postgres" >&2; exit 2 ;;
esac

echo "mode=$MODE checks=$CHECKS interval=${INTERVAL}s duration=${SECONDS_RUN}s ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
MAXRSS=0
END=$((SECONDS + SECONDS_RUN))
while [ $SECONDS -lt $END ]; do
  sleep 5
  for p in "${PIDS[@]}"; do
    r=$(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    [ "${r:-0}" -gt "$MAXRSS" ] && MAXRSS=$r
  done
done
for p in "${PIDS[@]}"; do kill -TERM "$p"; done
for p in "${PIDS[@]}"; do wait "$p" || true; done
PIDS=()

echo "--- health lines (one a minute per process; the first minute includes startup)"
grep -h ' health checks=' "$WORK"/m*.log | sed -e 's/^.*INFO //' || true
echo "--- summary"
grep -h "monitor stopped" "$WORK"/m*.log | sed -e 's/^.*INFO //' || true
python3 - "$WORK" "$SECONDS_RUN" <<'PY'
import re, sys, glob
p50s, p99s, maxes, missed, runs, stored = [], [], [], 0, 0, 0
for f in glob.glob(sys.argv[1] + "/m*.log"):
    last = {}
    lines = [l for l in open(f) if " health checks=" in l]
    for i, l in enumerate(lines):
        m = dict(re.findall(r'(\w+)=([0-9.]+)', l))
        if i > 0 or len(lines) == 1:  # skip the first minute (startup) when there are others
            p50s.append(float(m.get("start_late_p50_ms", 0)))
            p99s.append(float(m.get("start_late_p99_ms", 0)))
            maxes.append(float(m.get("start_late_max_ms", 0)))
        last = m
    missed += int(last.get("missed", 0))
    for l in open(f):
        if "monitor stopped" in l:
            m = dict(re.findall(r'(\w+)=([0-9]+)', l))
            runs += int(m.get("runs", 0))
            stored += int(m.get("stored", 0))
if p99s:
    print(f"start lateness, worst minute after the first: p50 {max(p50s):.0f} ms, p99 {max(p99s):.0f} ms, max {max(maxes):.0f} ms")
print(f"missed slots: {missed}")
print(f"runs: {runs} ({runs / float(sys.argv[2]):.0f}/s over the whole run, startup included); stored: {stored}")
PY
echo "max RSS per process: $((MAXRSS / 1024)) MB; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$MODE" = sqlite ]; then
  BYTES=$(du -cb "$WORK"/bench.db* | tail -1 | cut -f1)
else
  BYTES=$(runuser -u postgres -- "$PGBIN/psql" -h "$WORK" -p "$PGPORT" -U postgres -Atc "select pg_database_size('postgres')")
fi
echo "database: $((BYTES / 1024 / 1024)) MB after ${SECONDS_RUN}s = $((BYTES * 86400 / SECONDS_RUN / 1024 / 1024)) MB per day at this rate (before retention)"
