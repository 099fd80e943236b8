import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** Schemas with aks_credentials: each alert run gets a KUBECONFIG of its own, fetched with the identity. */
describe('an AKS alert run', () => {
  let t: TestStorage;
  let cli: FakeCli;
  let worker: QueueWorker;

  beforeAll(async () => {
    t = await createTestStorage();
    cli = await installFakeCli();
    const dir = await makeRunbooks({
      'kube.sh': '#!/usr/bin/env bash\necho "kubeconfig=$KUBECONFIG"\nhead -c 200 "$KUBECONFIG"\n',
    });
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'kube', runbook: 'kube.sh', aksCredentials: true, dedupeWindowMinutes: 0 }),
    ]);
    worker = startTestWorker(t, dir, { workerEnv: cli.env(), runbookEnvPassthrough: ['FAKE_CLI_LOG'] });
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await cli.remove();
    await t.cleanup();
  });

  const runFor = async (alertId: string, resourceId: string | null) => {
    const schema = await t.storage.schemas.get('kube');
    const [o] = await new AlertIntake(t.storage).accept({
      schema,
      alerts: [testAlert({ alertId, resourceId, resourceGroup: null, subscriptionId: null })],
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
    expect(calls.filter((c) => c.tool === 'kubelogin').every((c) => c.argv.includes('msi'))).toBe(true);
  });

  it('ends with a clear error when the alert names no cluster, and runs nothing', async () => {
    const run = await runFor(
      'k3',
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1',
    );
    expect(run?.status).toBe('error');
    expect(run?.error).toMatch(/^AKS credentials are needed but /);
    expect((await t.storage.logs.read(run?.execId ?? ''))?.length ?? 0).toBe(0);
  });
});
