#!/usr/bin/env bash
# Chaos runbook: records that this run's script executed (its exec id, one line, appended to the file
# named by $1; an append this small is atomic), then takes $2 seconds and exits with $3. `npm run chaos`
# counts the lines: none = never ran, two or more = ran twice.
echo "${CLOUDO_EXEC_ID}" >> "$1"
if [[ "${2:-0}" != 0 ]]; then sleep "$2"; fi
exit "${3:-0}"
