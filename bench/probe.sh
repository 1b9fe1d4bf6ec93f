#!/usr/bin/env bash
# probe.sh — throughput and memory of `apiprobe run` on a large suite, and of `apiprobe check`,
# against a private nginx on 127.0.0.1, compared with blackbox_exporter and oha (via probe-peer.sh).
#
# Every check opens a fresh connection (as a monitor's probe does), so dns/connect are timed per check.
# The suite's URL is `${URL}`, filled from the environment at run time, so the suite is generated once,
# outside the timed window.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bench/probe.sh [--peer PATH] [--bin PATH] [--checks N] [--jobs N] [--duration S] [--help]
  --peer PATH     probe-peer.sh (starts nginx, oha, blackbox_exporter; required; needs oha,
                  wrk, nginx and prometheus-blackbox-exporter installed)
  --bin PATH      the apiprobe binary (default: target/release/apiprobe; build it with
                  `cargo build --release` first)
  --checks N      checks in the large suite (default 100000)
  --jobs N        concurrency for `apiprobe run -j` and the peers (default 32)
  --duration S    time limit per measured command (default 60)
Runs, each against a fresh private nginx:
  1. run: blackbox_exporter probes/s, then `apiprobe run` of the N-check suite (rate counted by nginx)
  2. memory: max RSS of `apiprobe run` for N/10 and N checks (flat means results are streamed)
  3. check: oha req/s, then `apiprobe check` one process per request, jobs in parallel
Prints the peers' figures and one JSON line at the end.
USAGE
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEER=""; BIN="$ROOT/target/release/apiprobe"; CHECKS=100000; JOBS=32; DUR=60
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --peer) PEER="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    --checks) CHECKS="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --duration) DUR="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ -n "$PEER" ] && [ -x "$PEER" ] || { echo "--peer PATH to probe-peer.sh is required" >&2; exit 2; }
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time" >&2; exit 2; }

TMP="$(mktemp -d /tmp/apiprobe-bench.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT

gen_suite() { # file checks
  awk -v n="$2" 'BEGIN {
    print "[defaults]\ntimeout = \"5s\"\nexpect_status = \"2xx\"\n"
    for (i = 1; i <= n; i++) printf "[[check]]\nname = \"ok-%d\"\nurl = \"${URL}\"\n\n", i
  }' >"$1"
}
gen_suite "$TMP/large.toml" "$CHECKS"
gen_suite "$TMP/small.toml" "$((CHECKS / 10))"
echo "suites: $CHECKS checks ($(du -h "$TMP/large.toml" | cut -f1)), $((CHECKS / 10)) checks"

RUN="URL={url} /usr/bin/time -f 'maxrss_kb=%M wall_s=%e' $BIN run $TMP/large.toml -j {conns} --failures-only --color never"
echo "== 1. apiprobe run vs blackbox_exporter"
"$PEER" --server nginx --duration "$DUR" --conns "$JOBS" --target "$RUN" | tee "$TMP/run.out"

echo "== 2. memory in the number of checks"
for s in small large; do
  "$PEER" --server nginx --duration "$DUR" --conns "$JOBS" --no-blackbox \
    --target "URL={url} /usr/bin/time -f 'maxrss_kb=%M wall_s=%e' $BIN run $TMP/$s.toml -j {conns} --failures-only --color never" \
    >"$TMP/mem-$s.out"
  grep -o 'maxrss_kb=[0-9]*' "$TMP/mem-$s.out" | tail -n1 | sed "s/^/  $s: /"
done

echo "== 3. apiprobe check (one process per request) vs oha"
CHECK="seq 1000000000 | xargs -P {conns} -I@ $BIN check --color never {url} >/dev/null"
"$PEER" --server nginx --duration 10 --conns "$JOBS" --no-blackbox --target "$CHECK" | tee "$TMP/check.out"

j() { grep -o "\"$2\":[0-9.]*" "$1" | tail -n1 | cut -d: -f2; }
SMALL=$(grep -o 'maxrss_kb=[0-9]*' "$TMP/mem-small.out" | tail -n1 | cut -d= -f2)
LARGE=$(grep -o 'maxrss_kb=[0-9]*' "$TMP/mem-large.out" | tail -n1 | cut -d= -f2)
echo "{\"apiprobe_bench\":{\"checks\":$CHECKS,\"jobs\":$JOBS,\"run_checks_per_s\":$(j "$TMP/run.out" target_rps_server_counted),\"blackbox_probes_per_s\":$(j "$TMP/run.out" blackbox_probes_per_s),\"maxrss_kb_small\":${SMALL:-null},\"maxrss_kb_large\":${LARGE:-null},\"check_rps\":$(j "$TMP/check.out" target_rps_server_counted),\"oha_rps\":$(j "$TMP/check.out" oha_rps_server_counted)}}"
