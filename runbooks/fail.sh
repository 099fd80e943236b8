#!/usr/bin/env bash
# Always fails: shows how a failing runbook is recorded (exit code and the end of stderr).
echo "checking something that is broken..."
echo "error: the thing is broken" >&2
exit 3
