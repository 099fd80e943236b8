/**
 * Azure Monitor's common alert schema (`schemaId: azureMonitorCommonAlertSchema`): `data.essentials` is
 * the same for every monitoringService; `data.alertContext` is read per family in
 * `azure-common-context.ts`.
 */
import { hasSchemaId, isObject, readCommonAlertContext, toAzureAlert } from './azure-common-context.js';
import type { FormatParser } from './format-parser.js';
import { field, str, toMonitorCondition, toSeverity } from './normalize.js';

/**
 * Parses a common-schema payload into one alert: rule, instance id, severity, fired time and condition
 * from `essentials`; the resource is the first alert target (for activity log alerts on a subscription,
 * the most specific resource the event names); labels are the dimensions, Prometheus labels, log search
 * results or activity log fields of `alertContext`. Null when the schemaId differs or `essentials` is
 * missing (nothing then says what fired).
 */
export const azureCommonParser: FormatParser = {
  describe: 'azure-common (schemaId azureMonitorCommonAlertSchema)',
  parse(payload) {
    if (!hasSchemaId(payload, 'azureMonitorCommonAlertSchema')) return null;
    const essentials = field(payload, 'data', 'essentials');
    if (!isObject(essentials)) return null;
    const subject = readCommonAlertContext(field(payload, 'data', 'alertContext'), essentials);
    const get = (key: string) => field(essentials, key);
    return [
      toAzureAlert({
        format: 'azure-common',
        monitorCondition: toMonitorCondition(get('monitorCondition')),
        alertRule: str(get('alertRule')),
        alertId: str(get('alertId')),
        severity: toSeverity(get('severity')),
        // firedDateTime stays the firing time on a resolved alert; resolvedDateTime is a different fact
        firedAt: str(get('firedDateTime')),
        resourceId: subject.resourceId,
        labels: subject.labels,
        clusterHint: subject.clusterHint,
      }),
    ];
  },
};
