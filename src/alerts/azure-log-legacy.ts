/**
 * Log search alerts without the common schema (scheduled query rules up to API version 2018-04-16):
 * Application Insights sends `schemaId: Microsoft.Insights/LogAlert` with the fields under `data`; Log
 * Analytics sends the same fields flat, with no schemaId.
 */
import { hasSchemaId, isLogSearchBody, isObject, logSearchLabels, toAzureAlert } from './azure-common-context.js';
import type { FormatParser } from './format-parser.js';
import { field, str, toSeverity } from './normalize.js';

/**
 * Parses either log search body into one alert. The payload has no alert instance id (alertId null) and
 * no state: log search alerts of this age only fire. firedAt is the end of the search interval, when
 * the rule ran and fired (the start is when the searched data begins). The resource is `ResourceId`,
 * else the first data source the query ran on; App Insights bodies name neither, only the subscription.
 */
export const azureLogLegacyParser: FormatParser = {
  describe: 'azure-log-legacy (schemaId Microsoft.Insights/LogAlert, or no schemaId with SearchQuery/AlertRuleName)',
  parse(payload) {
    const body = logAlertBody(payload);
    if (body === null) return null;
    const get = (key: string) => field(body, key);
    const results = get('SearchResults') ?? get('SearchResult');
    const dataSources = field(results, 'dataSources');
    const dataSource: unknown = Array.isArray(dataSources) ? dataSources[0] : undefined;
    return [
      toAzureAlert({
        format: 'azure-log-legacy',
        monitorCondition: 'Fired',
        alertRule: str(get('AlertRuleName')),
        alertId: null,
        severity: toSeverity(get('Severity')),
        firedAt: str(get('SearchIntervalEndtimeUtc')) ?? str(get('SearchIntervalStartTimeUtc')),
        resourceId: str(get('ResourceId')) ?? str(field(dataSource, 'resourceId')),
        labels: logSearchLabels(body),
        fallback: { subscriptionId: get('SubscriptionId') },
      }),
    ];
  },
};

/** The log search fields: `data` under the LogAlert schemaId, or the payload itself when it has none. */
function logAlertBody(payload: unknown): object | null {
  if (hasSchemaId(payload, 'Microsoft.Insights/LogAlert')) {
    const data = field(payload, 'data');
    const isLogAlert = isObject(data) && (typeof field(data, 'AlertRuleName') === 'string' || isLogSearchBody(data));
    return isLogAlert ? data : null;
  }
  if (!isObject(payload) || field(payload, 'schemaId') !== undefined) return null;
  const isFlatLogAlert = typeof field(payload, 'AlertRuleName') === 'string' && isLogSearchBody(payload);
  return isFlatLogAlert ? payload : null;
}
