import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArmContainerGroups } from '../../../src/containers/index.js';
import { containerGroupName } from '../../../src/core/isolation.js';
import { planRun } from '../../../src/core/run-plan.js';
import { housekeepingFunction } from '../../../src/functions/housekeeping.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import type { FakeContainerInstances, FakeManagedIdentity } from '../../support/fake-container-instances.js';
import {
  fakeArmCredential,
  startFakeContainerInstances,
  startFakeManagedIdentity,
} from '../../support/fake-container-instances.js';
import { testServices } from '../../support/functions.js';
import type { RunTokenApp } from '../../support/run-token-app.js';
import { startRunTokenApp } from '../../support/run-token-app.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { isAlive, waitFor } from '../../support/wait.js';
import { makeRunbooks } from '../../support/worker.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const MAIN = path.join(ROOT, 'workers/main.ts');
const KEY = 'worker-key-for-tests-0123456789abcdefghijkl';
const WORKERS_CLIENT = '99999999-1111-4222-8333-444444444444';
const TIMEOUT_SECONDS = 8;

/**
 * Issue 21: the worker program itself (settings from its environment, ARM as its managed identity) runs an
 * isolated run, and is killed with SIGKILL while the run's group runs. The group outlives it; Housekeeping,
 * as the app runs it, leaves it while the run may still be within its time, and deletes it after.
 */
describe('an isolated run whose worker dies', () => {
  let t: TestStorage;
  let app: RunTokenApp;
  let aci: FakeContainerInstances;
  let msi: FakeManagedIdentity;
  let worker: ChildProcess | undefined;
  const pids = new Map<string, number>();

  beforeAll(async () => {
    t = await createTestStorage();
    app = await startRunTokenApp(t, { workerKey: KEY, env: {} });
    msi = await startFakeManagedIdentity();
    aci = await startFakeContainerInstances({
      launch: (group) => {
        const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...group.command.slice(4)], {
          cwd: ROOT,
          detached: true,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...group.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        pids.set(group.name, child.pid ?? 0);
        return child;
      },
    });
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await Promise.all([app?.close(), aci?.close(), msi?.close()]);
    await t?.cleanup();
  });

  it('leaves a running group that Housekeeping deletes once it outlived the run’s timeout', async () => {
    const dir = await makeRunbooks({ 'sleep.sh': 'echo "sleeping"\nsleep 60' });
    const { subscriptionId, resourceGroup } = aci.settings;
    worker = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...t.env,
        ...msi.env,
        NODE_EXTRA_CA_CERTS: aci.caFile,
        CLOUDO_WORKER: 'Runbook',
        RUNBOOKS_DIR: dir,
        CLOUDO_HEARTBEAT_MS: '200',
        CLOUDO_POLL_MAX_INTERVAL_MS: '50',
        CLOUDO_APP_URL: app.url,
        CLOUDO_WORKER_KEY: KEY,
        CLOUDO_ACI_RESOURCE_GROUP_ID: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`,
        CLOUDO_ACI_ARM_URL: aci.url,
        CLOUDO_ACI_CLIENT_ID: WORKERS_CLIENT,
        CLOUDO_ACI_LOCATION: 'westeurope',
        CLOUDO_ACI_IMAGE: 'cloudo.azurecr.io/cloudo-worker:1',
        CLOUDO_ACI_POLL_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [worker.stdout, worker.stderr]) {
      stream?.on('data', (d: Buffer) => {
        output += d.toString();
      });
    }

    const plan = planRun(
      testSchema({ id: 'sleep', isolation: 'container', timeoutSeconds: TIMEOUT_SECONDS }),
      HTTP_TRIGGER,
    );
    await new RunDispatcher(t.storage).dispatch(plan);
    const { execId } = plan.execution;
    const name = containerGroupName(execId);
    await waitFor(
      'the runbook to run in its group',
      async () => ((await t.storage.logs.read(execId))?.toString('utf8').includes('sleeping') ? true : undefined),
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nworker output: ${output}`);
    });
    expect(output).toContain('isolated runs in container groups of');
    // the worker reached ARM as its own managed identity
    expect(msi.requests).toContainEqual({ resource: aci.url, clientId: WORKERS_CLIENT });

    worker.kill('SIGKILL');
    const pid = pids.get(name) ?? 0;
    const housekeeping = async () => {
      const lines: string[] = [];
      const groups = new ArmContainerGroups({
        settings: aci.settings,
        credential: fakeArmCredential,
        pollMs: 50,
        clientOptions: { tlsOptions: { ca: aci.ca } },
      });
      const services = testServices(t, {
        containerGroups: { settings: { ...aci.settings, orphanGraceMs: 0 }, groups },
      });
      await housekeepingFunction(services).handler(
        new InvocationContext({
          functionName: 'Housekeeping',
          logHandler: (level, ...args) => lines.push(`${level}: ${args.map(String).join(' ')}`),
        }),
      );
      return lines.join('\n');
    };
    // within the run's timeout its group is left alone: its worker may only be out of touch
    expect(await housekeeping()).not.toContain(name);
    expect(aci.groups().map((g) => g.name)).toContain(name);
    expect(isAlive(pid)).toBe(true);

    const createdAt = Date.parse(aci.groups().find((g) => g.name === name)?.tags['cloudo-created-at'] ?? '');
    await new Promise((resolve) => setTimeout(resolve, createdAt + TIMEOUT_SECONDS * 1000 + 200 - Date.now()));
    expect(await housekeeping()).toContain(
      `deleted container group ${name}: it outlived its run's timeout of ${TIMEOUT_SECONDS} s`,
    );
    expect(aci.groups().map((g) => g.name)).not.toContain(name);
    expect(isAlive(pid)).toBe(false);
  });
});
