#!/usr/bin/env bash
# Runs for a while, printing a line a second: for watching live logs, timeouts and cancel.
# Usage: long_running.sh [SECONDS]   (default 120)
total="${1:-120}"
for ((i = 1; i <= total; i++)); do
  echo "tick ${i}/${total}"
  sleep 1
done
echo "finished after ${total}s"
