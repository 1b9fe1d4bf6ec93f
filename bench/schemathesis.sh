#!/usr/bin/env bash
# schemathesis.sh — does `apiprobe serve` (or `apiprobe monitor`) keep the promises of its own
# /openapi.json?
#
# Starts `apiprobe serve` on a free 127.0.0.1 port and runs schemathesis (PyPI) against the document
# it serves, with every check: status codes, content types, headers and bodies as documented, bad
# input refused, good input accepted, no 5xx. Exits 0 when schemathesis finds nothing.
# With --monitor it starts `apiprobe monitor` instead, on a suite of three checks that run every
# second (one up, one down, one slow to answer) with reads behind a token (`public_read = false`),
# and tests the monitor's routes: the status pages, badges and /api/v1/monitor, writes included,
# with a read-write bearer token (schemathesis also tries them without it).
# Not part of `cargo test`: it needs Python and `pip install schemathesis`.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bench/schemathesis.sh [--monitor] [--bin PATH] [--max-examples N] [--seed N] [--help] [-- SCHEMATHESIS ARGS]
  --monitor           test `apiprobe monitor` (its own routes, with tokens) instead of `apiprobe serve`
  --bin PATH          the apiprobe binary (default: target/debug/apiprobe; build it with
                      `cargo build -p apiprobe-cli`)
  --max-examples N    test cases per operation and phase (default 100)
  --seed N            schemathesis seed, to replay a run (default: random)
Anything after `--` goes to `schemathesis run` as it is.
Needs schemathesis (pip install schemathesis), curl and python3.
USAGE
}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/target/debug/apiprobe"; MAX=100; SEED=(); MONITOR=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --monitor) MONITOR=1; shift ;;
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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
AUTH=()
if [ "$MONITOR" = 1 ]; then
  # Tokens for this run only; the suite names them by variable, as a real one does.
  APIPROBE_ST_RO="ro-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  APIPROBE_ST_RW="rw-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  export APIPROBE_ST_RO APIPROBE_ST_RW
  cat >"$TMP/suite.toml" <<TOML
[api]
public_read = false
[[token]]
env = "APIPROBE_ST_RO"
access = "read"
[[token]]
env = "APIPROBE_ST_RW"
access = "read-write"
[defaults]
interval = "1s"
[[check]]
name = "self"
url = "$BASE/healthz"
[[check]]
name = "down"
url = "http://127.0.0.1:$(free_port)/"
[[check]]
name = "slow"
url = "$BASE/api/v1/codes"
degraded_latency = "1ms"
TOML
  "$BIN" monitor "$TMP/suite.toml" --addr "127.0.0.1:$PORT" --db "sqlite:$TMP/history.db" 2>"$TMP/serve.err" &
  AUTH=(--header "Authorization: Bearer $APIPROBE_ST_RW" --include-path-regex '^/(status|badge|api/v1/monitor)')
else
  "$BIN" serve --addr "127.0.0.1:$PORT" 2>"$TMP/serve.err" &
fi
SERVE_PID=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "$BASE/healthz" || { echo "apiprobe did not come up:" >&2; cat "$TMP/serve.err" >&2; exit 2; }
# A few runs of each check, so the history routes have something to show.
[ "$MONITOR" = 0 ] || sleep 3

# Reports and the example database stay in the temporary directory, not the work tree.
cd "$TMP"
set +e
schemathesis --config-file "$ROOT/bench/schemathesis.toml" run "$BASE/openapi.json" --checks all --max-examples "$MAX" "${SEED[@]}" \
  "${AUTH[@]}" --generation-database none --no-color "$@"
RC=$?
set -e
echo "{\"schemathesis\":{\"base\":\"$BASE\",\"monitor\":$([ "$MONITOR" = 1 ] && echo true || echo false),\"max_examples\":$MAX,\"exit\":$RC}}"
exit "$RC"
