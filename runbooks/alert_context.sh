#!/usr/bin/env bash
# Shows what an alert-driven runbook receives: the contract's variables and the original payload file.
# Alert values are data: quote them ("$AKS_POD"), never eval them.
set -euo pipefail
echo "alert:     ${CLOUDO_ALERT_RULE:-none} (${MONITOR_CONDITION:-manual run}, ${CLOUDO_SEVERITY:-no severity})"
echo "resource:  ${RESOURCE_ID:-none}"
echo "  group:   ${RESOURCE_RG:-}   name: ${RESOURCE_NAME:-}"
echo "k8s:       namespace=${AKS_NAMESPACE:-} pod=${AKS_POD:-} deployment=${AKS_DEPLOYMENT:-} job=${AKS_JOB:-} hpa=${AKS_HPA:-}"
if [ -n "${CLOUDO_ALERT_FILE:-}" ]; then
  echo "payload:   $(wc -c < "$CLOUDO_ALERT_FILE") bytes in $CLOUDO_ALERT_FILE"
fi
