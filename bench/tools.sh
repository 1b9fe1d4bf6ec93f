#!/usr/bin/env bash
# Benchmark: `apiprobe explain --batch` on 1,000,000 mixed tool log lines (curl, Node, Go, Python, Java,
# .NET, nginx, Envoy, HAProxy, k6, blackbox_exporter, ... plus ordinary lines). Prints lines per second and
# the peak RSS reported by GNU time. Usage: bench/tools.sh [LINES]
set -euo pipefail
cd "$(dirname "$0")/.."
lines="${1:-1000000}"
input="$(mktemp -t apiprobe-tools.XXXXXX)"
trap 'rm -f "$input" "$input.time"' EXIT
python3 bench/gen_tool_lines.py "$lines" > "$input"
cargo build --release -q -p apiprobe-cli
start=$(date +%s.%N)
/usr/bin/time -v -o "$input.time" target/release/apiprobe explain --batch < "$input" > /dev/null || true
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc -l)
rss_kb=$(grep 'Maximum resident set size' "$input.time" | awk '{print $NF}')
printf 'lines: %s\nseconds: %.2f\nlines/s: %.0f\npeak RSS: %.1f MiB\n' \
  "$lines" "$secs" "$(echo "$lines / $secs" | bc -l)" "$(echo "$rss_kb / 1024" | bc -l)"
