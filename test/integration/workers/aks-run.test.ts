import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertContext } from '../../../src/core/alert-context.js';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { AlertIntake } from '../../../src/intake/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { NO_IDENTITY_FOR_AKS } from '../../../workers/run/run-environment.js';
import { testAlert } from '../../support/alerts.js';
import type { FakeCli, FakeCliCall } from '../../support/fake-cli.js';
import { federatedLoginArgs, installFakeCli, WORKER_MANAGED_IDENTITY_ENV } from '../../support/fake-cli.js';
import type { RunTokenApp } from '../../support/run-token-app.js';
import { startRunTokenApp } from '../../support/run-token-app.js';
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
const KEY = 'worker-key-for-tests-0123456789abcdefghijkl';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const RUN_CLIENT = 'aaaaaaaa-1111-4222-8333-444444444444';
/** The app's run identity settings: no schema here names an identity, so runs get the default one. */
const IDENTITY_ENV = {
  AZURE_TENANT_ID: TENANT,
  // nothing exchanges these tokens here: the fake az takes them as they are
  AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9/',
};
const WITH_DEFAULT_IDENTITY = { ...IDENTITY_ENV, CLOUDO_RUNBOOK_CLIENT_ID: RUN_CLIENT };

/**
 * Schemas with aks_credentials: each alert run gets a KUBECONFIG of its own, fetched as the run's own Azure
 * identity (a federated token the real app mints), never as the workers'.
 */
describe('an AKS alert run', () => {
  let t: TestStorage;
  let cli: FakeCli;
  let worker: QueueWorker;
  let app: RunTokenApp;

  beforeAll(async () => {
    t = await createTestStorage();
    cli = await installFakeCli();
    app = await startRunTokenApp(t, { workerKey: KEY, env: WITH_DEFAULT_IDENTITY });
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
    worker = startTestWorker(t, dir, {
      runIdentity: { appUrl: app.url, key: KEY },
      workerEnv: {
        ...cli.env(),
        // no command of a run may get it
        ...WORKER_MANAGED_IDENTITY_ENV,
      },
      runbookEnvPassthrough: ['FAKE_CLI_LOG'],
    });
  });
  afterAll(async () => {
    await worker?.close({ force: true });
    await app?.close();
    await cli?.remove();
    await t?.cleanup();
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
    // az fetched them as each run's own identity, its current token on stdin (never in argv, which ps shows)
    for (const run of [a, b]) {
      const login = (await callsOf(run)).find((c) => c.tool === 'az' && c.argv[0] === 'login');
      const token = app.minted.find((m) => m.execId === run?.execId)?.token;
      expect(token).toBeDefined();
      expect(login?.argv).toEqual(runLogin('@-'));
      expect(login?.expandedArgv).toEqual(runLogin(token ?? ''));
      for (const call of await callsOf(run)) expect(call.argv.join(' ')).not.toContain(token);
    }
    // kubectl in the runbook acts as the run's own identity, never the workers' (issue 20)
    const kubelogin = calls.filter((c) => c.tool === 'kubelogin');
    expect(kubelogin.every((c) => c.argv.includes('workloadidentity') && !c.argv.includes('msi'))).toBe(true);
    expect(calls.filter((c) => c.argv.includes('--identity'))).toEqual([]);
    noWorkerIdentity(calls);
  });

  it('ends a run that has no identity of its own `error`, saying how to give it one, and fetches nothing', async () => {
    // a deployment without a default runbook identity (CLOUDO_RUNBOOK_CLIENT_ID unset): the app answers 204
    app.restart(IDENTITY_ENV);
    try {
      const run = await runFor('i1', CLUSTER);
      expect(run?.status).toBe('error');
      expect(run?.error).toBe(NO_IDENTITY_FOR_AKS);
      expect(run?.error).toMatch(/^AKS credentials are fetched as the run's own Azure identity and this run has none/);
      expect(await callsOf(run)).toEqual([]);
      expect((await t.storage.logs.read(run?.execId ?? ''))?.length ?? 0).toBe(0);
    } finally {
      app.restart(WITH_DEFAULT_IDENTITY);
    }
  });

  it('ends with a clear error when the alert names no cluster, and runs nothing', async () => {
    const run = await runFor('k3', VM);
    expect(run?.status).toBe('error');
    expect(run?.error).toMatch(/^AKS credentials are needed but /);
    expect((await t.storage.logs.read(run?.execId ?? ''))?.length ?? 0).toBe(0);
  });

  /** az login as the run's own identity (the deployment's default runbook identity). */
  const runLogin = (token: string) =>
    federatedLoginArgs(RUN_CLIENT, TENANT, token, ['--output', 'none', '--only-show-errors']);
  /** No IDENTITY_* or MSI_* reached any command: az would cache the workers' tokens in the run's folder. */
  const noWorkerIdentity = (calls: FakeCliCall[]) => {
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.identityEnv, `${call.tool} ${call.argv[0]}`).toEqual([]);
  };

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
    noWorkerIdentity(calls);
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
