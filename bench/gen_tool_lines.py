#!/usr/bin/env python3
"""Writes N mixed log lines (default 1,000,000) to stdout for the `explain --batch` benchmark.

The lines are the tool error lines from tests/cases/tools/*.toml (one-line cases only), with hosts and
ports varied, mixed with ordinary log lines that name no error (about one in four), so the prefilter's
cost on uninteresting lines is measured too.
"""
import random
import sys
import tomllib
from pathlib import Path

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
root = Path(__file__).resolve().parent.parent
errors = []
for f in sorted((root / "tests/cases/tools").glob("*.toml")):
    for case in tomllib.loads(f.read_text()).get("case", []):
        if "\n" not in case["text"] and not case.get("guess"):
            errors.append(case["text"])
quiet = [
    '10.0.0.{} - - [01/Mar/2024:10:00:00 +0000] "GET /v1/users/{} HTTP/1.1" 200 512 "-" "curl/8.5.0"',
    "2024-03-01T10:00:00Z INFO request completed path=/v1/orders/{} status=200 duration_ms={}",
    "level=info msg=\"Probe succeeded\" target=https://api{}.acme.test duration_seconds=0.{}",
]
rng = random.Random(7)
out = sys.stdout
for i in range(n):
    if rng.random() < 0.25:
        line = rng.choice(quiet).format(rng.randint(1, 250), rng.randint(1, 99999))
    else:
        line = rng.choice(errors).replace("api.acme.test", f"api{rng.randint(1, 999)}.acme.test")
    out.write(line + "\n")
