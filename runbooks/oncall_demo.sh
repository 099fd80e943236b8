#!/usr/bin/env bash
# An on-call runbook that fails on purpose, so a page can be seen happening locally:
#   SLACK_TOKEN=... OPSGENIE_API_KEY=... npm start, then curl 'localhost:7071/api/Trigger?id=oncall-demo'
echo "checking the payment gateway..."
echo "error: payment gateway answered 503 three times" >&2
exit 1
