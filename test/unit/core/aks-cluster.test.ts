import { describe, expect, it } from 'vitest';
import { aksTarget, isManagedClusterId, listedCluster, resolveAksAccess } from '../../../src/core/aks-cluster.js';
import { testAlert } from '../../support/alerts.js';

const SUB = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const OTHER_SUB = '11111111-2222-4333-8444-555555555555';
const CLUSTER_ID = `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod`;
const TWIN_ID = `/subscriptions/${OTHER_SUB}/resourceGroups/rg-dr/providers/Microsoft.ContainerService/managedClusters/aks-prod`;
const OTHER_ID = `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-test`;
const noK8s = { cluster: null, namespace: null, pod: null, deployment: null, job: null, hpa: null };

describe('aksTarget', () => {
  it('reads the cluster from a managedClusters resource id, whatever its case', () => {
    const alert = testAlert({
      resourceId: CLUSTER_ID.replace(
        'Microsoft.ContainerService/managedClusters',
        'microsoft.containerservice/MANAGEDCLUSTERS',
      ),
      // the resource id is Azure's own; a label may say something else
      kubernetes: { ...noK8s, cluster: 'from-a-label' },
    });
    expect(aksTarget(alert)).toEqual({ subscriptionId: SUB, resourceGroup: 'rg-aks', cluster: 'aks-prod' });
  });

  it('reads a Container Insights-style context: kubernetes.cluster with the resource group and subscription', () => {
    const alert = testAlert({
      resourceId: `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.OperationalInsights/workspaces/logs`,
      subscriptionId: SUB,
      resourceGroup: 'rg-aks',
      kubernetes: { ...noK8s, cluster: 'aks-prod', namespace: 'shop' },
    });
    expect(aksTarget(alert)).toEqual({ subscriptionId: SUB, resourceGroup: 'rg-aks', cluster: 'aks-prod' });
  });

  it('reads a cluster named by its resource id (a managed Prometheus configuration item)', () => {
    const alert = testAlert({
      resourceId: null,
      subscriptionId: null,
      resourceGroup: null,
      kubernetes: { ...noK8s, cluster: CLUSTER_ID },
    });
    expect(aksTarget(alert)).toEqual({ subscriptionId: SUB, resourceGroup: 'rg-aks', cluster: 'aks-prod' });
  });

  it('takes a resource below a cluster (an agent pool, an extension) for its cluster', () => {
    for (const below of ['/agentPools/system', '/providers/Microsoft.KubernetesConfiguration/extensions/flux']) {
      const alert = testAlert({ resourceId: `${CLUSTER_ID}${below}`, subscriptionId: SUB, resourceGroup: 'rg-aks' });
      expect(aksTarget(alert)).toEqual({ subscriptionId: SUB, resourceGroup: 'rg-aks', cluster: 'aks-prod' });
    }
  });

  it('says which parts are missing', () => {
    expect(aksTarget(null)).toEqual({ missing: expect.stringContaining('not started by one') });
    const clusterOnly = testAlert({
      resourceId: null,
      subscriptionId: null,
      resourceGroup: null,
      kubernetes: { ...noK8s, cluster: 'aks-prod' },
    });
    expect(aksTarget(clusterOnly)).toEqual({
      missing: expect.stringMatching(/^resourceGroup, subscriptionId of the alert/),
    });
    // testAlert's default is a VM: somewhere, but no cluster
    expect(aksTarget(testAlert())).toEqual({ missing: expect.stringMatching(/^kubernetes\.cluster of the alert/) });
  });
});

describe('isManagedClusterId', () => {
  it('accepts a managed cluster id in any case, and nothing below or beside one', () => {
    expect(isManagedClusterId(CLUSTER_ID)).toBe(true);
    expect(isManagedClusterId(CLUSTER_ID.toLowerCase())).toBe(true);
    expect(isManagedClusterId(`${CLUSTER_ID}/agentPools/system`)).toBe(false);
    expect(isManagedClusterId('aks-prod')).toBe(false);
    expect(isManagedClusterId(CLUSTER_ID.replace('managedClusters', 'fleets'))).toBe(false);
  });
});

describe('listedCluster', () => {
  const clusters = [CLUSTER_ID, OTHER_ID];

  it('finds the alert’s cluster in the list by resource id, case-insensitively, and returns the listed id', () => {
    expect(listedCluster(testAlert({ resourceId: CLUSTER_ID.toUpperCase() }), clusters)).toBe(CLUSTER_ID);
  });

  it('counts a resource under a listed cluster (an agent pool) as that cluster', () => {
    expect(listedCluster(testAlert({ resourceId: `${OTHER_ID}/agentPools/user` }), clusters)).toBe(OTHER_ID);
  });

  it('finds a Prometheus alert’s cluster by kubernetes.cluster, as a name or as an id', () => {
    const byName = testAlert({
      format: 'alertmanager',
      resourceId: null,
      subscriptionId: null,
      resourceGroup: null,
      kubernetes: { ...noK8s, cluster: 'AKS-PROD', namespace: 'shop' },
    });
    expect(listedCluster(byName, clusters)).toBe(CLUSTER_ID);
    const byId = testAlert({ resourceId: null, kubernetes: { ...noK8s, cluster: OTHER_ID } });
    expect(listedCluster(byId, clusters)).toBe(OTHER_ID);
  });

  it('tells two listed clusters of one name apart by the alert’s subscription and resource group, or finds none', () => {
    const twins = [CLUSTER_ID, TWIN_ID];
    const named = (subscriptionId: string | null, resourceGroup: string | null) =>
      testAlert({ resourceId: null, subscriptionId, resourceGroup, kubernetes: { ...noK8s, cluster: 'aks-prod' } });
    expect(listedCluster(named(OTHER_SUB, 'RG-DR'), twins)).toBe(TWIN_ID);
    expect(listedCluster(named(null, null), twins)).toBeNull();
  });

  it('finds nothing for a cluster not listed, a resource that is no cluster, no alert or an empty list', () => {
    const unlisted = `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-dev`;
    expect(listedCluster(testAlert({ resourceId: unlisted }), clusters)).toBeNull();
    // the resource id names an unlisted cluster: a label naming a listed one does not override it
    const labelled = testAlert({ resourceId: unlisted, kubernetes: { ...noK8s, cluster: 'aks-prod' } });
    expect(listedCluster(labelled, clusters)).toBeNull();
    expect(listedCluster(testAlert(), clusters)).toBeNull();
    expect(listedCluster(null, clusters)).toBeNull();
    expect(listedCluster(testAlert({ resourceId: CLUSTER_ID }), [])).toBeNull();
  });
});

describe('resolveAksAccess', () => {
  const listed = testAlert({ resourceId: `${CLUSTER_ID}/agentPools/system` });
  const vm = testAlert();

  it('auto: credentials for a listed cluster only', () => {
    expect(resolveAksAccess('auto', listed, [CLUSTER_ID])).toEqual({ aksCredentials: true, aksCluster: CLUSTER_ID });
    expect(resolveAksAccess('auto', listed, [OTHER_ID])).toEqual({ aksCredentials: false, aksCluster: null });
    expect(resolveAksAccess('auto', vm, [CLUSTER_ID])).toEqual({ aksCredentials: false, aksCluster: null });
    expect(resolveAksAccess('auto', null, [CLUSTER_ID])).toEqual({ aksCredentials: false, aksCluster: null });
  });

  it('true forces credentials (of the listed cluster when there is one), false forbids them', () => {
    expect(resolveAksAccess(true, listed, [CLUSTER_ID])).toEqual({ aksCredentials: true, aksCluster: CLUSTER_ID });
    expect(resolveAksAccess(true, vm, [CLUSTER_ID])).toEqual({ aksCredentials: true, aksCluster: null });
    expect(resolveAksAccess(false, listed, [CLUSTER_ID])).toEqual({ aksCredentials: false, aksCluster: null });
  });
});
