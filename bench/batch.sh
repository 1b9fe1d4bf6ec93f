#!/usr/bin/env bash
# `apiprobe explain --batch --summary` against the jq baseline on 1,000,000 JSON Lines error records that
# look like real logs (gen-jsonl.py --vary: every line its own Date and x-request-id): wall time with
# hyperfine and peak RSS with /usr/bin/time, both via the shared batch-peer.sh. Target: at least 3x
# faster than jq (goal 5x), peak RSS under 64 MB. Pass --repeated for the old corpus of repeated lines.
# Usage: bench/batch.sh [--repeated] [--lines N] [--runs R]   (other arguments go to batch-peer.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
peer="${BATCH_PEER:-../shared/bench/batch-peer.sh}"
[ -x "$peer" ] || [ -f "$peer" ] || { echo "batch-peer.sh not found (set BATCH_PEER=/path/to/batch-peer.sh)" >&2; exit 2; }
vary="--vary"
if [ "${1:-}" = "--repeated" ]; then vary=""; shift; fi
cargo build --release -q -p apiprobe-cli
bash "$peer" $vary --target "$PWD/target/release/apiprobe explain --batch --summary" "$@"
