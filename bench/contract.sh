#!/usr/bin/env bash
# contract.sh — `apiprobe contract` and schemathesis on the same API and the same OpenAPI document:
# the testkit's contract server, whose every operation carries one deliberate fault. Prints, side by
# side, what each tool found (by operation and kind) and how long it took.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bench/contract.sh [--bin PATH] [--server PATH] [--examples N] [--seed S] [--help]
  --bin PATH      the apiprobe binary (default: target/release/apiprobe)
  --server PATH   the contract server (default: target/release/examples/contract_server;
                  build both with `cargo build --release -p apiprobe-cli -p apiprobe-testkit --bins --examples`)
  --examples N    schemathesis --max-examples per operation (default 20)
  --seed S        seed for both tools (default 1)
Needs schemathesis (`pip install schemathesis`) on PATH.
Runs the server once, then each tool against http://127.0.0.1:PORT/openapi.json with the same bearer
token, and prints: wall time, requests sent (counted by each tool's own report), findings per
operation and finding kind, and a last JSON line with the figures.
USAGE
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/target/release/apiprobe"; SERVER="$ROOT/target/release/examples/contract_server"
EXAMPLES=20; SEED=1
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --bin) BIN="$2"; shift 2 ;;
    --server) SERVER="$2"; shift 2 ;;
    --examples) EXAMPLES="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ -x "$BIN" ] || { echo "no apiprobe binary at $BIN" >&2; exit 2; }
[ -x "$SERVER" ] || { echo "no contract server at $SERVER" >&2; exit 2; }
command -v schemathesis >/dev/null || { echo "schemathesis is not installed (pip install schemathesis)" >&2; exit 2; }

TMP="$(mktemp -d /tmp/apiprobe-contract-bench.XXXXXX)"
# The server serves until its stdin closes: a fifo held open by this script, closed on exit.
mkfifo "$TMP/hold"
"$SERVER" < "$TMP/hold" > "$TMP/url" &
SERVER_PID=$!
exec 9> "$TMP/hold"
cleanup() { exec 9>&-; wait "$SERVER_PID" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
for _ in $(seq 50); do [ -s "$TMP/url" ] && break; sleep 0.1; done
BASE="$(head -n1 "$TMP/url")"
DOC="$BASE/openapi.json"
echo "server: $BASE ($(schemathesis --version), $("$BIN" --version))"

now() { date +%s.%N; }

# --- apiprobe contract ---------------------------------------------------------------------------
t0=$(now)
set +e
"$BIN" contract "$DOC" -H 'Authorization: Bearer bench' --seed "$SEED" --json > "$TMP/apiprobe.jsonl" 2> "$TMP/apiprobe.err"
AP_EXIT=$?
set -e
t1=$(now)
AP_SECS=$(echo "$t1 - $t0" | bc)
AP_REQUESTS=$(grep -o '[0-9]* requests' "$TMP/apiprobe.err" | head -n1 | cut -d' ' -f1)
AP_FINDINGS=$(wc -l < "$TMP/apiprobe.jsonl")

# --- schemathesis ---------------------------------------------------------------------------------
t0=$(now)
set +e
# From the temp folder: schemathesis keeps a cache (.schemathesis/) in its working directory.
(cd "$TMP" && schemathesis run "$DOC" --checks all -H 'Authorization: Bearer bench' --max-examples "$EXAMPLES" \
  --seed "$SEED" --report ndjson --report-ndjson-path "$TMP/st.ndjson" --no-color > "$TMP/st.out" 2>&1)
ST_EXIT=$?
set -e
t1=$(now)
ST_SECS=$(echo "$t1 - $t0" | bc)

python3 - "$TMP/apiprobe.jsonl" "$TMP/st.out" <<'PY' > "$TMP/table"
import json, re, sys
ap = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = {}
for f in ap:
    op = f["details"].get("method", "") + " " + f["details"].get("path", "")
    rows.setdefault(op.strip() or f["details"].get("operation", "?"), [set(), set()])[0].add(f["name"] + (" " + f["field"] if f.get("field") else ""))
text = open(sys.argv[2]).read()
# Each failure block: "____ METHOD /path ____" then "- STnnn Title" lines.
current = None
for line in text.splitlines():
    m = re.match(r"^_+ (.+?) _+$", line)
    if m:
        current = m.group(1)
        continue
    m = re.match(r"^- (ST\d+ .+)$", line.strip())
    if m and current:
        rows.setdefault(current, [set(), set()])[1].add(m.group(1))
st_total = re.search(r"(\d+) failures?", text.splitlines()[-1] if text else "")
st_cases = re.search(r"(\d+) generated", text)
w = 34
print(f"{'operation':<{w}} {'apiprobe contract':<52} schemathesis")
for op in sorted(rows):
    a, s = (sorted(x) for x in rows[op])
    for i in range(max(len(a), len(s))):
        print(f"{op if i == 0 else '':<{w}} {a[i] if i < len(a) else '':<52} {s[i] if i < len(s) else ''}")
print(json.dumps({"apiprobe_findings": len(ap),
                  "apiprobe_operations_with_findings": sum(1 for r in rows.values() if r[0]),
                  "schemathesis_unique_failures": int(st_total.group(1)) if st_total else None,
                  "schemathesis_operations_with_failures": sum(1 for r in rows.values() if r[1]),
                  "schemathesis_test_cases": int(st_cases.group(1)) if st_cases else None}))
PY
head -n -1 "$TMP/table"
echo
printf 'apiprobe contract: %6.2f s, %s requests, %s findings (exit %s)\n' "$AP_SECS" "${AP_REQUESTS:-?}" "$AP_FINDINGS" "$AP_EXIT"
printf 'schemathesis:      %6.2f s, %s (exit %s)\n' "$ST_SECS" "$(grep -E 'generated, .* found|generated' "$TMP/st.out" | tail -n1 | sed 's/^ *//')" "$ST_EXIT"
FIG=$(tail -n1 "$TMP/table")
echo "{\"apiprobe_seconds\":$AP_SECS,\"apiprobe_requests\":${AP_REQUESTS:-null},\"schemathesis_seconds\":$ST_SECS,\"schemathesis_examples\":$EXAMPLES,\"figures\":$FIG}"
