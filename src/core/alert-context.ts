import { z } from 'zod';

/** Kubernetes objects an alert is about; null where the payload does not say. */
export const KubernetesContext = z.object({
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  pod: z.string().nullable(),
  deployment: z.string().nullable(),
  job: z.string().nullable(),
  hpa: z.string().nullable(),
});
export type KubernetesContext = z.infer<typeof KubernetesContext>;

export const AlertFormat = z.enum([
  'azure-common',
  'azure-metric-legacy',
  'azure-log-legacy',
  'azure-activitylog-legacy',
  'azure-classic-metric',
  'alertmanager',
  'prometheus-alert',
]);
export type AlertFormat = z.infer<typeof AlertFormat>;

/**
 * One alert, whatever format it came in: what every parser in `src/alerts/` returns. Field names are
 * fixed (they are part of the public contract, e.g. `cloudo alert parse`); null where the payload has
 * nothing.
 */
export const AlertContext = z.object({
  format: AlertFormat,
  /** Activated → Fired, Deactivated → Resolved, firing/active → Fired, resolved → Resolved; fire-only formats → Fired. */
  monitorCondition: z.enum(['Fired', 'Resolved']),
  /** Rule name (Alertmanager/Prometheus: labels.alertname). */
  alertRule: z.string().nullable(),
  /** The alert instance id, or the Alertmanager fingerprint. */
  alertId: z.string().nullable(),
  /** "Sev0".."Sev4" where the source gives a number or SevN; otherwise the source's word as sent. */
  severity: z.string().nullable(),
  /** ISO-8601 time the alert fired (or the best timestamp the format has). */
  firedAt: z.string().nullable(),
  /** ARM id of the affected resource as sent (case kept). */
  resourceId: z.string().nullable(),
  subscriptionId: z.string().nullable(),
  resourceGroup: z.string().nullable(),
  resourceName: z.string().nullable(),
  kubernetes: KubernetesContext,
  /** Dimensions / labels, flattened to strings. */
  labels: z.record(z.string(), z.string()),
});
export type AlertContext = z.infer<typeof AlertContext>;

/** Why a payload was not understood: every format the detector tried, and what it missed. */
export type ParseAlertResult =
  | { readonly ok: true; readonly alerts: AlertContext[] }
  | { readonly ok: false; readonly reason: 'unknown-format' | 'invalid-json'; readonly checked: string[] };
