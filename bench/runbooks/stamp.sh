#!/usr/bin/env bash
# First thing the process does: record the wall-clock time it started, in microseconds, in the file
# named by its first argument (the benchmark reads it there, without loading the API while it waits).
echo "${CLOUDO_EXEC_ID} ${EPOCHREALTIME/./}" >> "$1"
