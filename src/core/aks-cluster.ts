import type { AlertContext } from './alert-context.js';

/** The AKS cluster a run is about: every part is later an argument of `az aks get-credentials`. */
export interface AksTarget {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly cluster: string;
}

/**
 * A schema's `aks_credentials`: `true` always fetches credentials for the cluster the alert names, `false`
 * never does, `auto` (the default) does when that cluster is one of the deployment's AKS integration
 * (`CLOUDO_AKS_CLUSTERS`), as the original ClouDO logged every AKS alert's runbook into its cluster.
 */
export type AksCredentialsMode = boolean | 'auto';

/** What a run gets, decided when it is planned and stored with it. */
export interface AksAccess {
  /** The worker fetches per-run credentials before the runbook starts. */
  readonly aksCredentials: boolean;
  /** The listed managed-cluster id the alert is about (as listed), or null when none is. */
  readonly aksCluster: string | null;
}

// a managed cluster, or anything below one (agent pools, extensions): those belong to the cluster
const MANAGED_CLUSTER =
  /^(\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.containerservice\/managedclusters\/([^/]+))(?:\/.*)?$/i;

/** The cluster an ARM id is, or belongs to: its own id (as written) and its parts; null when none. */
export function managedClusterOf(id: string | null): { readonly id: string; readonly target: AksTarget } | null {
  const match = id ? MANAGED_CLUSTER.exec(id) : null;
  if (!match) return null;
  const [, clusterId = '', subscriptionId = '', resourceGroup = '', cluster = ''] = match;
  return { id: clusterId, target: { subscriptionId, resourceGroup, cluster } };
}

/** Whether `id` is exactly a managed cluster's resource id (not something below one). */
export function isManagedClusterId(id: string): boolean {
  return managedClusterOf(id)?.id === id;
}

/**
 * The AKS cluster an alert is about: from its resourceId when that is (or is below) a
 * `Microsoft.ContainerService/managedClusters/<name>` id (Container Insights alerts target the cluster), else
 * from `kubernetes.cluster` with the alert's `resourceGroup` and `subscriptionId`. The latter are the alert
 * target's: right when the target sits next to the cluster, wrong (and then `az` says so) for a managed
 * Prometheus workspace elsewhere; a cluster of CLOUDO_AKS_CLUSTERS avoids that guess (`listedCluster`).
 * Values are returned as sent; the worker checks them before they become arguments.
 */
export function aksTarget(alert: AlertContext | null): AksTarget | { missing: string } {
  if (!alert) return { missing: 'an alert: the run was not started by one, so it names no AKS cluster' };
  const fromId = managedClusterOf(alert.resourceId) ?? managedClusterOf(alert.kubernetes.cluster);
  if (fromId) return fromId.target;
  const parts = {
    'kubernetes.cluster': alert.kubernetes.cluster,
    resourceGroup: alert.resourceGroup,
    subscriptionId: alert.subscriptionId,
  };
  const absent = Object.entries(parts)
    .filter(([, value]) => !value)
    .map(([name]) => name);
  const { 'kubernetes.cluster': cluster, resourceGroup, subscriptionId } = parts;
  if (!cluster || !resourceGroup || !subscriptionId) {
    return {
      missing: `${absent.join(', ')} of the alert (an AKS cluster needs a managedClusters resourceId, or kubernetes.cluster with resourceGroup and subscriptionId)`,
    };
  }
  return { subscriptionId, resourceGroup, cluster };
}

const same = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

/**
 * The cluster of `clusters` (managed-cluster ids) the alert is about, as listed; null when it is about none
 * of them. ARM ids compare case-insensitively. A resource id naming a cluster decides alone (a label cannot
 * point a VM's or another cluster's alert at a listed cluster); otherwise `kubernetes.cluster`, an id or a
 * name (Prometheus alerts carry the name). Two listed clusters of that name are told apart by the alert's
 * subscription and resource group, or the alert matches neither.
 */
export function listedCluster(alert: AlertContext | null, clusters: readonly string[]): string | null {
  if (!alert || clusters.length === 0) return null;
  const listed = (id: string) => clusters.find((c) => same(c, id)) ?? null;
  const owner = managedClusterOf(alert.resourceId) ?? managedClusterOf(alert.kubernetes.cluster);
  if (owner) return listed(owner.id);
  const name = alert.kubernetes.cluster;
  if (!name) return null;
  const named = clusters.filter((c) => same(name, managedClusterOf(c)?.target.cluster ?? ''));
  if (named.length <= 1) return named[0] ?? null;
  const here = named.filter((c) => {
    const target = managedClusterOf(c)?.target;
    return (
      target && same(alert.subscriptionId, target.subscriptionId) && same(alert.resourceGroup, target.resourceGroup)
    );
  });
  return here.length === 1 ? (here[0] ?? null) : null;
}

/** Whether a run of a schema with `mode` gets AKS credentials for `alert`, and for which listed cluster. */
export function resolveAksAccess(
  mode: AksCredentialsMode,
  alert: AlertContext | null,
  clusters: readonly string[],
): AksAccess {
  if (mode === false) return { aksCredentials: false, aksCluster: null };
  const aksCluster = listedCluster(alert, clusters);
  return { aksCredentials: mode === true || aksCluster !== null, aksCluster };
}
