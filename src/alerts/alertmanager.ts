/**
 * Prometheus-side formats: the Alertmanager webhook (a group notification, `webhook_config`, payload
 * version "4") and a single alert as the Alertmanager API v2 (`GettableAlert`) or Prometheus
 * (`/api/v1/alerts`) returns it, or as one member of a webhook group.
 */
import type { AlertContext, AlertFormat } from '../core/alert-context.js';
import type { FormatParser } from './format-parser.js';
import { extractKubernetes } from './kubernetes.js';
import { field, str, toLabels, toMonitorCondition, toSeverity } from './normalize.js';
import { resourceParts } from './resource-id.js';

/** Keys of the envelope Alertmanager wraps a group in; an object with `alerts[]` and one of them is a group. */
const WEBHOOK_ENVELOPE_KEYS = ['version', 'groupKey', 'receiver', 'groupLabels', 'commonLabels', 'externalURL'];

/**
 * Label or annotation keys that may carry the ARM id of the affected resource (matched case-insensitively,
 * labels before annotations). Prometheus knows nothing of Azure: only a rule author who adds one of these
 * gives a runbook `RESOURCE_ID`.
 */
const RESOURCE_ID_KEYS = new Set(['resource_id', 'azure_resource_id', 'resourceid']);
const LONGEST_RESOURCE_ID_KEY = Math.max(...[...RESOURCE_ID_KEYS].map((k) => k.length));

/**
 * The Alertmanager webhook payload: `{ version: "4", groupKey, status, receiver, groupLabels,
 * commonLabels, commonAnnotations, externalURL, alerts: [...] }`. One AlertContext per object in
 * `alerts` (the group's other members are separate alerts with their own fingerprint and status).
 * Grafana's webhook contact point sends the same shape and is read the same way. Null unless the payload
 * has an envelope key and an `alerts` array with at least one alert that has `labels`: Alertmanager
 * never sends an empty group, and an empty one names nothing to run.
 */
export const alertmanagerParser: FormatParser = {
  describe: 'alertmanager (webhook group: alerts[] with receiver/groupKey/commonLabels, version "4")',
  parse(payload) {
    const alerts = field(payload, 'alerts');
    if (!Array.isArray(alerts)) return null;
    if (!WEBHOOK_ENVELOPE_KEYS.some((k) => field(payload, k) !== undefined)) return null;
    const groupStatus = field(payload, 'status');
    const out: AlertContext[] = [];
    for (const alert of alerts) {
      if (!isRecord(field(alert, 'labels'))) continue;
      // each alert carries its own status: a group notification can mix firing and resolved members
      const status = field(alert, 'status');
      const condition = toMonitorCondition(typeof status === 'string' ? status : groupStatus);
      out.push(toAlert('alertmanager', alert, condition, field(alert, 'startsAt')));
    }
    return out.length > 0 ? out : null;
  },
};

/**
 * One alert object on its own, as the Alertmanager API v2 returns it (`GET /api/v2/alerts` items:
 * `{ labels, annotations, startsAt, endsAt, fingerprint, status: { state } }`), as Prometheus does
 * (`GET /api/v1/alerts` items: `{ labels, annotations, state, activeAt, value }`), or as one member of
 * a webhook group (`{ status: "firing" | "resolved", labels, startsAt, fingerprint }`). Null unless
 * `labels` is an object with a string `alertname` and one of those state fields is a string.
 */
export const prometheusAlertParser: FormatParser = {
  describe:
    'prometheus-alert (one alert: Alertmanager API v2 {labels.alertname, status.state}, Prometheus /api/v1/alerts {labels.alertname, state} or a webhook member {labels.alertname, status})',
  parse(payload) {
    if (typeof field(payload, 'labels', 'alertname') !== 'string') return null;
    const v2State = field(payload, 'status', 'state');
    if (typeof v2State === 'string') {
      // active, suppressed (silenced or inhibited) and unprocessed all mean the alert is still firing:
      // the v2 API lists resolved alerts only on request, and then with endsAt in the past
      return [toAlert('prometheus-alert', payload, 'Fired', field(payload, 'startsAt'))];
    }
    const v1State = field(payload, 'state');
    if (typeof v1State === 'string') {
      // firing and pending are both active rule results: Prometheus lists no other
      return [toAlert('prometheus-alert', payload, toMonitorCondition(v1State), field(payload, 'activeAt'))];
    }
    const memberStatus = field(payload, 'status');
    if (typeof memberStatus === 'string') {
      return [toAlert('prometheus-alert', payload, toMonitorCondition(memberStatus), field(payload, 'startsAt'))];
    }
    return null;
  },
};

function toAlert(
  format: AlertFormat,
  alert: unknown,
  monitorCondition: AlertContext['monitorCondition'],
  firedAt: unknown,
): AlertContext {
  const labels = toLabels(field(alert, 'labels'));
  const resourceId = findResourceId(labels) ?? findResourceId(toLabels(field(alert, 'annotations')));
  return {
    format,
    monitorCondition,
    alertRule: str(labels.alertname),
    alertId: str(field(alert, 'fingerprint')),
    severity: toSeverity(labels.severity),
    firedAt: str(firedAt),
    resourceId,
    ...resourceParts(resourceId),
    kubernetes: extractKubernetes(labels),
    labels,
  };
}

/** The first `RESOURCE_ID_KEYS` value that is an ARM id (starts with `/subscriptions/`), as sent. */
function findResourceId(values: Record<string, string>): string | null {
  for (const key of Object.keys(values)) {
    // the length test keeps this cheap on alerts with thousands of labels
    if (key.length > LONGEST_RESOURCE_ID_KEY || !RESOURCE_ID_KEYS.has(key.toLowerCase())) continue;
    const value = values[key];
    if (value !== undefined && /^\/subscriptions\//i.test(value)) return value;
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
