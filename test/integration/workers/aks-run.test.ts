import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertContext } from '../../../src/core/alert-context.js';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { AlertIntake } from '../../../src/intake/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { testAlert } from '../../support/alerts.js';
import type { FakeCli } from '../../support/fake-cli.js';
import { installFakeCli } from '../../support/fake-cli.js';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

const SUB = '00000000-0000-0000-0000-000000000001';
const CLUSTER = `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-weu`;
/** A cluster of the deployment's AKS integration (CLOUDO_AKS_CLUSTERS) that CLUSTER is not. */
const LISTED = `/subscriptions/${SUB}/resourceGroups/rg-ops/providers/Microsoft.ContainerService/managedClusters/aks-ops`;
const UNLISTED = `/subscriptions/${SUB}/resourceGroups/rg-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev`;
const VM = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1';
const noK8s = { cluster: null, namespace: null, pod: null, deployment: null, job: null, hpa: null };

/** Schemas with aks_credentials: each alert run gets a KUBECONFIG of its own, fetched with the identity. */
describe('an AKS alert run', () => {
  let t: TestStorage;
  let cli: FakeCli;
  let worker: QueueWorker;

  beforeAll(async () => {
    t = await createTestStorage();
    cli = await installFakeCli();
    const dir = await makeRunbooks({
      'kube.sh':
        '#!/usr/bin/env bash\necho "kubeconfig=$KUBECONFIG"\nif [ -n "$KUBECONFIG" ]; then head -c 200 "$KUBECONFIG"; echo; grep "^# namespace" "$KUBECONFIG"; fi\nexit 0\n',
    });
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'kube', runbook: 'kube.sh', aksCredentials: true, dedupeWindowMinutes: 0 }),
      // as the original's schemas are: no aks_credentials, so `auto`
      testSchema({ id: 'auto', runbook: 'kube.sh', dedupeWindowMinutes: 0 }),
      testSchema({ id: 'never', runbook: 'kube.sh', aksCredentials: false, dedupeWindowMinutes: 0 }),
    ]);
    worker = startTestWorker(t, dir, { workerEnv: cli.env(), runbookEnvPassthrough: ['FAKE_CLI_LOG'] });
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await cli.remove();
    await t.cleanup();
  });

  const runFor = async (
    alertId: string,
    resourceId: string | null,
    schemaId = 'kube',
    alert: Partial<AlertContext> = {},
  ) => {
    const schema = await t.storage.schemas.get(schemaId);
    const [o] = await new AlertIntake(t.storage, undefined, [LISTED]).accept({
      schema,
      alerts: [testAlert({ alertId, resourceId, resourceGroup: null, subscriptionId: null, ...alert })],
      payload: {},
      trigger: { source: 'alert', actor: null, team: null, principal: null },
    });
    return waitFor<Execution>('the run to finish', async () => {
      const e = (await t.storage.executions.get(o?.execId ?? ''))?.execution;
      return e && isTerminal(e.status) ? e : undefined;
    });
  };

  it('fetches credentials for the cluster the alert names into the run’s own KUBECONFIG', async () => {
    const [a, b] = await Promise.all([runFor('k1', CLUSTER), runFor('k2', CLUSTER)]);
    expect([a?.status, b?.status]).toEqual(['succeeded', 'succeeded']);
    const logs = await Promise.all(
      [a, b].map(async (r) => (await t.storage.logs.read(r?.execId ?? ''))?.toString() ?? ''),
    );
    const paths = logs.map((l) => /kubeconfig=(\S+)/.exec(l)?.[1]);
    expect(paths[0]).toMatch(new RegExp(`cloudo-${a?.execId}-[^/]+/kubeconfig$`));
    expect(paths[1]).not.toBe(paths[0]);
    const calls = await cli.calls();
    const getCredentials = calls.filter((c) => c.tool === 'az' && c.argv[1] === 'get-credentials');
    expect(getCredentials).toHaveLength(2);
    expect(getCredentials[0]?.argv).toEqual(
      expect.arrayContaining(['--name', 'aks-weu', '--resource-group', 'rg-aks', '--subscription', SUB]),
    );
    // kubectl in the runbook acts as the run's own identity, never the workers' (issue 20)
    const kubelogin = calls.filter((c) => c.tool === 'kubelogin');
    expect(kubelogin.every((c) => c.argv.includes('workloadidentity') && !c.argv.includes('msi'))).toBe(true);
    expect(logs[0]).toContain(
      'kubectl authenticates as the run’s own Azure identity (KUBECONFIG), and this run has none',
    );
  });

  it('ends with a clear error when the alert names no cluster, and runs nothing', async () => {
    const run = await runFor('k3', VM);
    expect(run?.status).toBe('error');
    expect(run?.error).toMatch(/^AKS credentials are needed but /);
    expect((await t.storage.logs.read(run?.execId ?? ''))?.length ?? 0).toBe(0);
  });

  /** The fake CLI's calls made for one run: each runs in the run's own work directory. */
  const callsOf = async (run: Execution | undefined) =>
    (await cli.calls()).filter((c) => c.cwd.includes(`cloudo-${run?.execId ?? 'none'}-`));
  const kubeconfigOf = async (run: Execution | undefined) =>
    /kubeconfig=(\S*)/.exec((await t.storage.logs.read(run?.execId ?? ''))?.toString() ?? '')?.[1];

  it('auto (the original’s schemas): an alert on a listed cluster’s agent pool gets that cluster’s credentials', async () => {
    const run = await runFor('a1', `${LISTED}/agentPools/system`, 'auto');
    expect(run?.status).toBe('succeeded');
    expect(run?.aksCredentials).toBe(true);
    expect(await kubeconfigOf(run)).toMatch(new RegExp(`cloudo-${run?.execId}-[^/]+/kubeconfig$`));
    const getCredentials = (await callsOf(run)).filter((c) => c.argv[1] === 'get-credentials');
    expect(getCredentials[0]?.argv).toEqual(
      expect.arrayContaining(['--name', 'aks-ops', '--resource-group', 'rg-ops', '--subscription', SUB]),
    );
  });

  it('auto: a Prometheus alert naming a listed cluster gets it, even with a workspace elsewhere as its target', async () => {
    const run = await runFor('a2', null, 'auto', {
      format: 'alertmanager',
      subscriptionId: SUB,
      resourceGroup: 'rg-monitor',
      kubernetes: { ...noK8s, cluster: 'aks-ops', namespace: 'shop' },
    });
    expect(run?.status).toBe('succeeded');
    expect(await kubeconfigOf(run)).toMatch(/\/kubeconfig$/);
    const calls = await callsOf(run);
    const getCredentials = calls.filter((c) => c.argv[1] === 'get-credentials');
    // the listed id says where the cluster is; the alert's resource group is the workspace's
    expect(getCredentials[0]?.argv).toEqual(
      expect.arrayContaining(['--name', 'aks-ops', '--resource-group', 'rg-ops']),
    );
    // and, as in the original, the kubeconfig's namespace is the alert's: a plain `kubectl get pods` acts there
    expect(calls.map((c) => c.tool)).toEqual(['az', 'az', 'kubelogin', 'kubectl']);
    expect(calls[3]?.argv).toEqual(
      expect.arrayContaining(['set-context', '--current', '--namespace=shop', '--kubeconfig', await kubeconfigOf(run)]),
    );
    expect((await t.storage.logs.read(run?.execId ?? ''))?.toString()).toContain('# namespace: shop\n');
  });

  it('an alert naming a namespace Kubernetes cannot have still gets credentials, with a line in its log why not that namespace', async () => {
    const run = await runFor('n1', LISTED, 'auto', { kubernetes: { ...noK8s, namespace: '-n; rm -rf /' } });
    expect(run?.status).toBe('succeeded');
    expect(await kubeconfigOf(run)).toMatch(/\/kubeconfig$/);
    expect((await callsOf(run)).map((c) => c.tool)).toEqual(['az', 'az', 'kubelogin']);
    const log = (await t.storage.logs.read(run?.execId ?? ''))?.toString() ?? '';
    expect(log.startsWith('[cloudo] namespace "-n; rm -rf /" is not a Kubernetes namespace name')).toBe(true);
    expect(log).not.toContain('# namespace');
  });

  it('an alert naming no namespace leaves the cluster’s default and calls no kubectl', async () => {
    const run = await runFor('n2', LISTED, 'auto');
    expect(run?.status).toBe('succeeded');
    expect((await callsOf(run)).map((c) => c.tool)).toEqual(['az', 'az', 'kubelogin']);
  });

  it('auto: a cluster not listed, or an alert about no cluster, runs without credentials and calls no az', async () => {
    for (const [id, resourceId] of [
      ['a3', UNLISTED],
      ['a4', VM],
    ] as const) {
      const run = await runFor(id, resourceId, 'auto');
      expect(run?.status).toBe('succeeded');
      expect(run?.aksCredentials).toBe(false);
      expect(await kubeconfigOf(run)).toBe('');
      expect(await callsOf(run)).toEqual([]);
    }
  });

  it('true still forces credentials for a cluster not listed, false forbids them for a listed one', async () => {
    const forced = await runFor('f1', UNLISTED);
    expect(forced?.status).toBe('succeeded');
    const getCredentials = (await callsOf(forced)).filter((c) => c.argv[1] === 'get-credentials');
    expect(getCredentials[0]?.argv).toEqual(
      expect.arrayContaining(['--name', 'aks-dev', '--resource-group', 'rg-dev']),
    );

    const never = await runFor('f2', LISTED, 'never');
    expect(never?.status).toBe('succeeded');
    expect(await kubeconfigOf(never)).toBe('');
    expect(await callsOf(never)).toEqual([]);
  });
});
