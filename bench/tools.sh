#!/usr/bin/env bash
# Benchmark: `apiprobe explain --batch` on 1,000,000 mixed tool log lines (curl, Node, Go, Python, Java,
# .NET, nginx, Envoy, HAProxy, k6, blackbox_exporter, ... plus ordinary lines). Prints lines per second of
# wall time, the CPU time spent (the machine may be shared, so lines per CPU-second is the steadier figure)
# and the peak RSS reported by GNU time.
# Usage: bench/tools.sh [LINES]   (APIPROBE_BIN=path runs that binary instead of building the release one)
set -euo pipefail
cd "$(dirname "$0")/.."
lines="${1:-1000000}"
input="$(mktemp -t apiprobe-tools.XXXXXX)"
trap 'rm -f "$input" "$input.time"' EXIT
python3 bench/gen_tool_lines.py "$lines" > "$input"
bin="${APIPROBE_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release -q -p apiprobe-cli
  bin=target/release/apiprobe
fi
start=$(date +%s.%N)
/usr/bin/time -v -o "$input.time" "$bin" explain --batch < "$input" > /dev/null || true
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc -l)
user=$(grep 'User time (seconds)' "$input.time" | awk '{print $NF}')
sys=$(grep 'System time (seconds)' "$input.time" | awk '{print $NF}')
cpu=$(echo "$user + $sys" | bc -l)
rss_kb=$(grep 'Maximum resident set size' "$input.time" | awk '{print $NF}')
printf 'lines: %s\nseconds: %.2f\nlines/s: %.0f\ncpu seconds: %.2f\nlines/cpu-s: %.0f\npeak RSS: %.1f MiB\n' \
  "$lines" "$secs" "$(echo "$lines / $secs" | bc -l)" "$cpu" "$(echo "$lines / $cpu" | bc -l)" \
  "$(echo "$rss_kb / 1024" | bc -l)"
