#!/usr/bin/env bash
# Whole-process time of `apiprobe lookup 404` (and a free-text lookup), release build, with hyperfine.
# Target: median below 5 ms on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release -q -p apiprobe-cli
bin=target/release/apiprobe
hyperfine -N --warmup 20 --runs 300 \
  "$bin lookup 404" \
  "$bin lookup PRB-3001" \
  "$bin lookup 'rate limit'" \
  --export-json /tmp/apiprobe-lookup-bench.json
python3 - <<'PY'
import json
for r in json.load(open("/tmp/apiprobe-lookup-bench.json"))["results"]:
    print(f'{r["command"]}: median {r["median"]*1000:.2f} ms (min {r["min"]*1000:.2f}, max {r["max"]*1000:.2f})')
PY
