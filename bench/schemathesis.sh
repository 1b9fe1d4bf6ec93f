#!/usr/bin/env bash
# schemathesis.sh — does `apiprobe serve` keep the promises of its own /openapi.json?
#
# Starts `apiprobe serve` on a free 127.0.0.1 port and runs schemathesis (PyPI) against the document
# it serves, with every check: status codes, content types, headers and bodies as documented, bad
# input refused, good input accepted, no 5xx. Exits 0 when schemathesis finds nothing.
# Not part of `cargo test`: it needs Python and `pip install schemathesis`.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bench/schemathesis.sh [--bin PATH] [--max-examples N] [--seed N] [--help] [-- SCHEMATHESIS ARGS]
  --bin PATH          the apiprobe binary (default: target/debug/apiprobe; build it with
                      `cargo build -p apiprobe-cli`)
  --max-examples N    test cases per operation and phase (default 100)
  --seed N            schemathesis seed, to replay a run (default: random)
Anything after `--` goes to `schemathesis run` as it is.
Needs schemathesis (pip install schemathesis), curl and python3.
USAGE
}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/target/debug/apiprobe"; MAX=100; SEED=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --bin) BIN="$2"; shift 2 ;;
    --max-examples) MAX="$2"; shift 2 ;;
    --seed) SEED=(--seed "$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for t in schemathesis curl python3; do
  command -v "$t" >/dev/null || { echo "missing $t (pip install schemathesis)" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build -p apiprobe-cli)" >&2; exit 2; }

TMP="$(mktemp -d /tmp/apiprobe-schemathesis.XXXXXX)"
SERVE_PID=""
cleanup() {
  [ -z "$SERVE_PID" ] || { kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; }
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$BIN" serve --addr "127.0.0.1:$PORT" 2>"$TMP/serve.err" &
SERVE_PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "$BASE/healthz" || { echo "apiprobe serve did not come up:" >&2; cat "$TMP/serve.err" >&2; exit 2; }

# Reports and the example database stay in the temporary directory, not the work tree.
cd "$TMP"
set +e
schemathesis --config-file "$ROOT/bench/schemathesis.toml" run "$BASE/openapi.json" --checks all --max-examples "$MAX" "${SEED[@]}" \
  --generation-database none --no-color "$@"
RC=$?
set -e
echo "{\"schemathesis\":{\"base\":\"$BASE\",\"max_examples\":$MAX,\"exit\":$RC}}"
exit "$RC"
