import { createHash } from 'node:crypto';
import type { AlertContext } from './alert-context.js';

/**
 * The same alert in the same condition always gives the same key, whichever action group, retry or
 * Alertmanager repeat delivers it: the alert's own id (Azure alert id, Alertmanager fingerprint) when it
 * has one, else its rule, resource and labels.
 */
export function deliveryKey(alert: AlertContext): string {
  const identity =
    alert.alertId ??
    JSON.stringify([
      alert.format,
      alert.alertRule,
      alert.resourceId,
      Object.entries(alert.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ]);
  return createHash('sha256').update(`${identity}\n${alert.monitorCondition}`).digest('hex');
}

/** The key of the Fired delivery of an alert that has now resolved (to cancel its run). */
export function firedDeliveryKey(alert: AlertContext): string {
  return deliveryKey({ ...alert, monitorCondition: 'Fired' });
}
