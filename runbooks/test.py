#!/usr/bin/env python3
"""Sample python runbook: times a small loop. Arguments: -n COUNT --repeats R."""
import argparse
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("-n", type=int, default=1000)
parser.add_argument("--repeats", type=int, default=10)
args = parser.parse_args()

print(f"python {sys.version.split()[0]} run {os.environ.get('CLOUDO_EXEC_ID', '?')}")
start = time.perf_counter()
for _ in range(min(args.repeats, 10_000)):
    sum(range(min(args.n, 100_000)))
print(f"{args.repeats} x sum(range({args.n})) in {(time.perf_counter() - start) * 1000:.1f} ms")
print("resource:", os.environ.get("RESOURCE_NAME") or "(none)", file=sys.stderr)
