#!/usr/bin/env bash
# `apiprobe explain --batch --summary` against the jq baseline on 1,000,000 JSON Lines error records
# (the shared gen-jsonl.py corpus): wall time with hyperfine and peak RSS with /usr/bin/time, both via
# the shared batch-peer.sh. Goal: at least 10x faster than jq, peak RSS under 64 MB.
# Usage: bench/batch.sh [--lines N] [--runs R]   (extra arguments go to batch-peer.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
peer="${BATCH_PEER:-../shared/bench/batch-peer.sh}"
[ -x "$peer" ] || [ -f "$peer" ] || { echo "batch-peer.sh not found (set BATCH_PEER=/path/to/batch-peer.sh)" >&2; exit 2; }
cargo build --release -q -p apiprobe-cli
bash "$peer" --target "$PWD/target/release/apiprobe explain --batch --summary" "$@"
