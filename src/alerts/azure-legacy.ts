/**
 * Azure Monitor's per-signal (non-common) webhook schemas, still sent by action groups that do not opt
 * in to the common schema, and the retired classic metric alert. The log search schemas are in
 * `azure-log-legacy.ts`.
 */
import {
  activityLogLabels,
  activityLogResourceId,
  criteriaLabels,
  hasSchemaId,
  isObject,
  toAzureAlert,
} from './azure-common-context.js';
import type { FormatParser } from './format-parser.js';
import { field, str, toMonitorCondition, toSeverity } from './normalize.js';

export { azureLogLegacyParser } from './azure-log-legacy.js';

/**
 * Metric alerts without the common schema (`schemaId: AzureMonitorMetricAlert`, `data.context`):
 * `data.status` Activated/Resolved; the rule's id is the only id the payload has, so it is the alertId.
 */
export const azureMetricLegacyParser: FormatParser = {
  describe: 'azure-metric-legacy (schemaId AzureMonitorMetricAlert)',
  parse(payload) {
    if (!hasSchemaId(payload, 'AzureMonitorMetricAlert')) return null;
    const context = field(payload, 'data', 'context');
    if (!isObject(context)) return null;
    const get = (key: string) => field(context, key);
    return [
      toAzureAlert({
        format: 'azure-metric-legacy',
        monitorCondition: toMonitorCondition(field(payload, 'data', 'status')),
        alertRule: str(get('name')),
        alertId: str(get('id')),
        severity: toSeverity(get('severity')),
        firedAt: str(get('timestamp')),
        resourceId: str(get('resourceId')),
        labels: criteriaLabels(get('condition')),
        fallback: resourceFallback(context),
      }),
    ];
  },
};

/**
 * Activity log alerts without the common schema (`schemaId: Microsoft.Insights/activityLogs`,
 * `data.context.activityLog`). The payload names no rule and has no severity; the event's
 * `eventDataId` identifies the instance. `data.status` is always Activated (the event's own `status`,
 * e.g. a Service Health `Resolved`, describes the event, not the alert).
 */
export const azureActivityLogLegacyParser: FormatParser = {
  describe: 'azure-activitylog-legacy (schemaId Microsoft.Insights/activityLogs)',
  parse(payload) {
    if (!hasSchemaId(payload, 'Microsoft.Insights/activityLogs')) return null;
    const event = field(payload, 'data', 'context', 'activityLog');
    if (!isObject(event)) return null;
    return [
      toAzureAlert({
        format: 'azure-activitylog-legacy',
        monitorCondition: toMonitorCondition(field(payload, 'data', 'status')),
        alertRule: null,
        alertId: str(field(event, 'eventDataId')),
        severity: null,
        firedAt: str(field(event, 'eventTimestamp')),
        resourceId: activityLogResourceId(str(field(event, 'resourceId')), event),
        labels: activityLogLabels(event),
        fallback: resourceFallback(event),
      }),
    ];
  },
};

/**
 * Classic metric alerts (retired; no schemaId): `status` Activated/Resolved and a `context` with the
 * rule's `id` and `name`, `timestamp` and the resource. They have no severity and no dimensions.
 */
export const azureClassicMetricParser: FormatParser = {
  describe: 'azure-classic-metric (no schemaId; status and context.id/name/resourceId)',
  parse(payload) {
    if (!isObject(payload) || field(payload, 'schemaId') !== undefined) return null;
    const context = field(payload, 'context');
    const status = field(payload, 'status');
    if (typeof status !== 'string' || !isObject(context)) return null;
    const get = (key: string) => field(context, key);
    if (typeof get('id') !== 'string' && typeof get('name') !== 'string') return null;
    return [
      toAzureAlert({
        format: 'azure-classic-metric',
        monitorCondition: toMonitorCondition(status),
        alertRule: str(get('name')),
        alertId: str(get('id')),
        severity: null,
        firedAt: str(get('timestamp')),
        resourceId: str(get('resourceId')),
        labels: {},
        fallback: resourceFallback(context),
      }),
    ];
  },
};

function resourceFallback(body: unknown) {
  return {
    subscriptionId: field(body, 'subscriptionId'),
    resourceGroup: field(body, 'resourceGroupName'),
    resourceName: field(body, 'resourceName'),
  };
}
