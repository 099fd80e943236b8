#!/usr/bin/env bash
# Prints a short health summary of the machine it runs on. Safe to run anywhere.
set -euo pipefail
echo "ClouDO run ${CLOUDO_EXEC_ID} of schema ${CLOUDO_SCHEMA_ID} on worker ${CLOUDO_WORKER}"
echo "host: $(uname -n)  kernel: $(uname -sr)"
echo "uptime: $(cut -d' ' -f1 /proc/uptime 2>/dev/null || echo unknown) s"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
df -h / | tail -n 1 | awk '{print "disk /: " $3 " used of " $2}'
if [ "$#" -gt 0 ]; then
  echo "arguments ($#):"
  for arg in "$@"; do printf '  [%s]\n' "$arg"; done
fi
echo "done"
