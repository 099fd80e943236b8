/**
 * What the Azure Monitor parsers read from an alert's context, one small reader per monitoringService
 * family, and the step every Azure format ends with (resource parts and Kubernetes objects). The common
 * schema and the older per-signal schemas carry the same bodies (metric criteria, log search results,
 * activity log events), so `azure-common.ts` and `azure-legacy.ts` share these readers.
 */
import type { AlertContext, AlertFormat } from '../core/alert-context.js';
import { extractKubernetes } from './kubernetes.js';
import { field, str, toLabels } from './normalize.js';
import { resourceParts } from './resource-id.js';

/** The facts of one Azure alert before the shared resource and Kubernetes steps. */
export interface AzureAlertFacts {
  readonly format: AlertFormat;
  readonly monitorCondition: 'Fired' | 'Resolved';
  readonly alertRule: string | null;
  readonly alertId: string | null;
  readonly severity: string | null;
  readonly firedAt: string | null;
  /** ARM id as sent; subscription, group and name are read from it. */
  readonly resourceId: string | null;
  readonly labels: Record<string, string>;
  /**
   * The payload's own subscriptionId / resourceGroupName / resourceName (legacy schemas), used only where
   * the resource id does not carry that part. Default: none.
   */
  readonly fallback?: {
    readonly subscriptionId?: unknown;
    readonly resourceGroup?: unknown;
    readonly resourceName?: unknown;
  };
  /** Cluster named outside the labels. Default: the name of an AKS cluster resource id, else none. */
  readonly clusterHint?: string | null;
}

/** Where an alert points and what it says about it, read from one alertContext. */
export interface AlertSubject {
  readonly resourceId: string | null;
  readonly labels: Record<string, string>;
  readonly clusterHint: string | null;
}

/** Builds the AlertContext: resource parts from the id (payload fields as fallback) and Kubernetes objects. */
export function toAzureAlert(facts: AzureAlertFacts): AlertContext {
  const parts = resourceParts(facts.resourceId);
  const clusterHint = facts.clusterHint ?? aksClusterName(facts.resourceId);
  return {
    format: facts.format,
    monitorCondition: facts.monitorCondition,
    alertRule: facts.alertRule,
    alertId: facts.alertId,
    severity: facts.severity,
    firedAt: facts.firedAt,
    resourceId: facts.resourceId,
    subscriptionId: parts.subscriptionId ?? str(facts.fallback?.subscriptionId),
    resourceGroup: parts.resourceGroup ?? str(facts.fallback?.resourceGroup),
    resourceName: parts.resourceName ?? str(facts.fallback?.resourceName),
    kubernetes: extractKubernetes(facts.labels, { clusterHint }),
    labels: facts.labels,
  };
}

/**
 * Reads a common-schema alertContext. Dispatch is on the body's shape, not on `monitoringService`: the
 * same service is spelled differently across payloads (`ResourceHealth` / `Resource Health`,
 * `SmartDetector` / `Smart Detector`), while each family's body is distinctive.
 */
export function readCommonAlertContext(alertContext: unknown, essentials: unknown): AlertSubject {
  const target = firstString(field(essentials, 'alertTargetIDs'));
  const none = { resourceId: target, labels: {}, clusterHint: null };
  if (!isObject(alertContext)) return none;
  const labels = field(alertContext, 'labels');
  if (isObject(labels)) {
    // managed Prometheus: the target is the Azure Monitor workspace, not the cluster. extractKubernetes
    // reads a `cluster` label itself; without one, the rule group's configuration item names the cluster
    const clusterHint = firstString(field(essentials, 'configurationItems'));
    return { resourceId: target, labels: toLabels(labels), clusterHint };
  }
  const condition = field(alertContext, 'condition');
  if (Array.isArray(field(condition, 'allOf'))) return { ...none, labels: criteriaLabels(condition) };
  if (isLogSearchBody(alertContext)) return { ...none, labels: logSearchLabels(alertContext) };
  if (isActivityLogEvent(alertContext)) {
    return {
      ...none,
      resourceId: activityLogResourceId(target, alertContext),
      labels: activityLogLabels(alertContext),
    };
  }
  const budget = field(alertContext, 'AlertData');
  if (isObject(budget)) {
    // a budget has no alert target; its scope is what the spend is about
    const budgetLabels = { ...toLabels(budget), ...toLabels({ AlertCategory: field(alertContext, 'AlertCategory') }) };
    return { ...none, resourceId: target ?? str(field(budget, 'Scope')), labels: budgetLabels };
  }
  if (typeof field(alertContext, 'SmartDetectorId') === 'string') {
    const detector = {
      SmartDetectorId: field(alertContext, 'SmartDetectorId'),
      SmartDetectorName: field(alertContext, 'SmartDetectorName'),
    };
    return { ...none, labels: toLabels(detector) };
  }
  return none;
}

/** Metric and log V2 criteria: every `allOf[].dimensions`, flattened; the first criterion wins a clash. */
export function criteriaLabels(condition: unknown): Record<string, string> {
  const allOf = field(condition, 'allOf');
  if (!Array.isArray(allOf)) return {};
  const labels: Record<string, string> = {};
  for (const criterion of allOf) {
    for (const [name, value] of Object.entries(toLabels(field(criterion, 'dimensions')))) {
      if (!Object.hasOwn(labels, name)) labels[name] = value;
    }
  }
  return labels;
}

/** True for a log search V1 body (common alertContext, `Microsoft.Insights/LogAlert` data, or the flat one). */
export function isLogSearchBody(body: unknown): boolean {
  return (
    typeof field(body, 'SearchQuery') === 'string' ||
    isObject(field(body, 'SearchResults')) ||
    isObject(field(body, 'SearchResult'))
  );
}

/**
 * Log search V1: `Dimensions`, over the first row of the first results table. The row is where a query
 * that was not split by dimensions still names its subject (e.g. KubePodInventory's Namespace and
 * PodName); `$`-columns are the service's own bookkeeping.
 */
export function logSearchLabels(body: unknown): Record<string, string> {
  const results = field(body, 'SearchResults') ?? field(body, 'SearchResult');
  const tables = field(results, 'tables');
  const table: unknown = Array.isArray(tables) ? tables[0] : undefined;
  const columns = field(table, 'columns');
  const rows = field(table, 'rows');
  const row: unknown = Array.isArray(rows) ? rows[0] : undefined;
  const cells: { name: unknown; value: unknown }[] = [];
  if (Array.isArray(columns) && Array.isArray(row)) {
    columns.forEach((column: unknown, i) => {
      const name = str(field(column, 'name'));
      if (name !== null && !name.startsWith('$')) cells.push({ name, value: row[i] });
    });
  }
  return { ...toLabels(cells), ...toLabels(field(body, 'Dimensions')) };
}

/** True for an activity log event (Administrative, Policy, Autoscale, Security, health, Recommendation). */
export function isActivityLogEvent(body: unknown): boolean {
  return typeof field(body, 'operationName') === 'string' || typeof field(body, 'eventDataId') === 'string';
}

/** The event fields a runbook routes on; numbers (ServiceHealth sends `level: 3`) become text. */
export function activityLogLabels(event: unknown): Record<string, string> {
  const pick = (key: string) => field(event, key);
  return toLabels({
    eventSource: pick('eventSource'),
    operationName: pick('operationName'),
    status: pick('status'),
    caller: pick('caller'),
    level: pick('level'),
  });
}

/**
 * The most specific ARM id an activity log alert is about. A target that already names a resource is
 * kept as sent; a subscription or resource-group target (Service Health, Advisor, Autoscale rules scoped
 * to a subscription) gives way to the deepest id the event names, ties going to the earlier field.
 */
export function activityLogResourceId(target: string | null, event: unknown): string | null {
  if (target !== null && resourceParts(target).resourceName !== null) return target;
  const named = [
    field(event, 'resourceId'),
    field(event, 'properties', 'resourceId'),
    field(event, 'properties', 'entity'),
    // Autoscale writes the scaled resource's full id under this name
    field(event, 'properties', 'resourceName'),
    field(event, 'authorization', 'scope'),
  ];
  let best = target;
  for (const candidate of named) {
    const id = str(candidate);
    if (id !== null && /^\/subscriptions\//i.test(id) && depth(id) > depth(best)) best = id;
  }
  return best;
}

/** The first non-empty string of an array, or the value itself when it is one string. */
export function firstString(value: unknown): string | null {
  if (Array.isArray(value)) return str(value.find((v) => str(v) !== null));
  return str(value);
}

/** True when `payload.schemaId` is `schemaId` (compared case-insensitively: it is an identifier, not text). */
export function hasSchemaId(payload: unknown, schemaId: string): boolean {
  const value = field(payload, 'schemaId');
  return typeof value === 'string' && value.toLowerCase() === schemaId.toLowerCase();
}

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function depth(id: string | null): number {
  return id === null ? 0 : id.split('/').filter((s) => s !== '').length;
}

/** An AKS cluster's name when the resource id is one: Container Insights alerts target the cluster. */
function aksClusterName(resourceId: string | null): string | null {
  if (
    resourceId === null ||
    !/\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+\/?$/i.test(resourceId)
  ) {
    return null;
  }
  return resourceParts(resourceId).resourceName;
}
