#!/bin/sh
# The status page and the monitor API with history: 1,000 checks, 30 days of rollups in SQLite.
# Target (issue 16): /status and /api/v1/monitor/checks under 50 ms each.
#
#   bench/status.sh                 # 1,000 checks, 30 timed requests per route
#   STATUS_BENCH_CHECKS=5000 bench/status.sh
set -eu
cd "$(dirname "$0")/.."
exec cargo run --release --locked -p apiprobe-monitor --example status_bench
