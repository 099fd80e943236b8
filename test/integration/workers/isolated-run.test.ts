import { spawn } from 'node:child_process';
import path from 'node:path';
import { AnonymousCredential, AppendBlobClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArmContainerGroups } from '../../../src/containers/index.js';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { RUN_CAPABILITY_HEADER, runCapability } from '../../../src/core/isolated-run.js';
import { containerGroupName } from '../../../src/core/isolation.js';
import type { IsolatedRunsSettings } from '../../../src/core/isolation-settings.js';
import { planRun } from '../../../src/core/run-plan.js';
import type { RunbookSchema } from '../../../src/core/runbook-schema.js';
import { cancelRun, RunDispatcher } from '../../../src/runs/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import type { FakeCli } from '../../support/fake-cli.js';
import { installFakeCli } from '../../support/fake-cli.js';
import type { FakeContainerInstances, LaunchedGroup } from '../../support/fake-container-instances.js';
import { fakeArmCredential, startFakeContainerInstances } from '../../support/fake-container-instances.js';
import type { RunTokenApp } from '../../support/run-token-app.js';
import { startRunTokenApp } from '../../support/run-token-app.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { isAlive, waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

const KEY = 'worker-key-for-tests-0123456789abcdefghijkl';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const SUB = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const identityId = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg-ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
const DEFAULT_ID = { clientId: 'dddddddd-1111-4222-8333-444444444444', resourceId: identityId('cloudo-runbook-id') };
const OPS_ID = { clientId: 'aaaaaaaa-1111-4222-8333-444444444444', resourceId: identityId('ops') };
const PULL_ID = identityId('cloudo-image-pull');
const MAIN = path.resolve('workers/main.ts');

/**
 * Issue 21: a run of an `isolation: container` schema runs in a container group of its own. Real worker,
 * real app (over HTTP), real Azurite; ARM is a loopback fake whose "containers" are processes of the
 * worker's own one-shot mode (`workers/main.ts --exec <id>`), as the image runs it.
 */
describe('an isolated run', () => {
  let t: TestStorage;
  let app: RunTokenApp;
  let aci: FakeContainerInstances;
  let worker: QueueWorker;
  let cli: FakeCli;
  const launched: (LaunchedGroup & { pid: number })[] = [];
  const cancel = (execId: string, by: string) => cancelRun(t.storage.executions, execId, by);

  beforeAll(async () => {
    t = await createTestStorage();
    app = await startRunTokenApp(t, { workerKey: KEY, env: {} });
    // the image's az, kubectl and kubelogin: fakes first on the container's PATH
    cli = await installFakeCli();
    aci = await startFakeContainerInstances({
      launch: (group) => {
        // the image's entrypoint, whose last arguments are what this checkout runs
        const [, , , , ...rest] = group.command;
        const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...rest], {
          detached: true,
          env: { PATH: cli.env().PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...group.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        launched.push({ ...group, pid: child.pid ?? 0 });
        return child;
      },
    });
    const dir = await makeRunbooks({
      'env.sh': [
        'echo "client=$AZURE_CLIENT_ID tenant=$AZURE_TENANT_ID isolation=$CLOUDO_ISOLATION"',
        'echo "token_file=[$AZURE_FEDERATED_TOKEN_FILE]"',
        'echo "secrets=[$(env | grep -cE "^(CLOUDO_RUN_CAPABILITY|CLOUDO_LOG_URL|SECRET_TOKEN|AzureWebJobsStorage)=")]"',
        'echo "param=$CLOUDO_PARAM_GREETING"',
      ].join('\n'),
      'fail.sh': 'echo "about to fail"\necho "disk full" >&2\nexit 3',
      'sleep.sh': 'echo "sleeping"\nsleep 60',
      'login.sh': 'cloudo-az-login --output none',
    });
    const settings: IsolatedRunsSettings = {
      ...aci.settings,
      location: 'westeurope',
      image: 'cloudo.azurecr.io/cloudo-worker:1.2.3',
      registryIdentity: PULL_ID,
      subnetId: null,
      identities: { default: DEFAULT_ID, ops: OPS_ID },
      pollMs: 100,
      startTimeoutMs: 30_000,
    };
    worker = startTestWorker(t, dir, {
      runIdentity: { appUrl: app.url, key: KEY },
      isolated: settings,
      containerGroups: new ArmContainerGroups({
        settings: aci.settings,
        credential: fakeArmCredential,
        pollMs: 100,
        clientOptions: { tlsOptions: { ca: aci.ca } },
      }),
      workerEnv: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SECRET_TOKEN: 'must-not-leak',
        AZURE_TENANT_ID: TENANT,
        RUNBOOKS_DIR: dir,
        CLOUDO_LOG_FLUSH_INTERVAL_MS: '100',
        CLOUDO_RUNBOOK_ENV_PASSTHROUGH: 'FAKE_CLI_LOG',
        FAKE_CLI_LOG: cli.logFile,
      },
      runbookEnvPassthrough: ['FAKE_CLI_LOG'],
    });
  }, 60_000);
  afterAll(async () => {
    await worker?.close({ force: true });
    await Promise.all([app?.close(), aci?.close(), cli?.remove()]);
    await t?.cleanup();
  });

  async function start(overrides: Partial<RunbookSchema>): Promise<string> {
    const schema = testSchema({ isolation: 'container', resources: { cpu: 2, memoryGb: 3.5 }, ...overrides });
    const plan = planRun(schema, HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    return plan.execution.execId;
  }
  async function finished(execId: string): Promise<{ execution: Execution; log: string }> {
    const execution = await waitFor(
      `run ${execId} to finish`,
      async () => {
        const e = (await t.storage.executions.get(execId))?.execution;
        return e && isTerminal(e.status) ? e : undefined;
      },
      30_000,
    );
    const log = (await t.storage.logs.read(execId))?.toString('utf8') ?? '';
    return { execution, log };
  }
  const groupOf = (execId: string) => aci.groups().find((g) => g.name === containerGroupName(execId));
  const launchOf = (execId: string) => launched.find((g) => g.name === containerGroupName(execId));

  it('runs in a group of its own, as its own identity, and the group is gone once the run is recorded', async () => {
    const execId = await start({ id: 'env', identity: 'ops' });
    const { execution, log } = await finished(execId);
    expect(execution.status, `${execution.error}\n${log}`).toBe('succeeded');
    expect(execution).toMatchObject({ containerGroup: containerGroupName(execId), workerHost: 'test-host' });
    expect(log).toContain(
      `[cloudo] running in container group ${containerGroupName(execId)} (2 CPU, 3.5 GB, westeurope)`,
    );
    // the identity is the group's own: no federated token file, and none of the worker's or the process's secrets
    expect(log).toContain(`client=${OPS_ID.clientId} tenant=${TENANT} isolation=container`);
    expect(log).toContain('token_file=[]');
    expect(log).toContain('secrets=[0]');
    expect(execution.logBytes).toBe(Buffer.byteLength(log));

    const group = launchOf(execId);
    // ACI pulls with an identity attached to the group: the dedicated pull identity (AcrPull only), never the workers'
    expect(group).toMatchObject({ identityIds: [OPS_ID.resourceId, PULL_ID], cpu: 2, memoryGb: 3.5 });
    expect(group?.command).toEqual([
      '/usr/bin/tini',
      '--',
      '/usr/local/libexec/cloudo/node',
      'dist/workers/main.js',
      '--exec',
      execId,
    ]);
    expect(group?.tags).toMatchObject({ 'cloudo-exec-id': execId, 'cloudo-timeout-ms': '60000' });
    // no key of ClouDO's in the group: a capability for the run and a URL for its log, both secure values
    expect(Object.keys(group?.env ?? {})).not.toContain('CLOUDO_WORKER_KEY');
    expect(Object.keys(group?.env ?? {}).some((k) => k.startsWith('AzureWebJobsStorage'))).toBe(false);
    const spec = aci.groups().find((g) => g.name === containerGroupName(execId))?.spec;
    const env = JSON.stringify(spec ?? {});
    expect(env).not.toMatch(/"value":"rc1\./);
    expect(groupOf(execId)).toBeUndefined();
  });

  it('logs az in with the group’s own managed identity, the run’s identity, and no token file', async () => {
    const execId = await start({ id: 'login', identity: 'ops' });
    const { execution, log } = await finished(execId);
    expect(execution.status, `${execution.error}\n${log}`).toBe('succeeded');
    const login = (await cli.calls()).find((c) => c.tool === 'az');
    expect(login?.argv).toEqual([
      'login',
      '--identity',
      '--client-id',
      OPS_ID.clientId,
      '--allow-no-subscriptions',
      '--output',
      'none',
    ]);
  });

  it('fails as the runbook failed, with its stderr, and the default identity when the schema names none', async () => {
    const execId = await start({ id: 'fail', resources: null });
    const { execution, log } = await finished(execId);
    expect(execution).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(execution.error).toContain('disk full');
    expect(log).toContain('about to fail');
    expect(launchOf(execId)).toMatchObject({ identityIds: [DEFAULT_ID.resourceId, PULL_ID], cpu: 1, memoryGb: 1.5 });
    expect(groupOf(execId)).toBeUndefined();
  });

  it('cancelled mid-run: the group is deleted, its processes killed, the run cancelled', async () => {
    const execId = await start({ id: 'sleep' });
    await waitFor('the runbook to start', async () =>
      (await t.storage.logs.read(execId))?.toString('utf8').includes('sleeping') ? true : undefined,
    );
    const launchedPid = launchOf(execId)?.pid ?? 0;
    expect(isAlive(launchedPid)).toBe(true);
    await cancel(execId, 'alice@example.com');
    const { execution } = await finished(execId);
    expect(execution).toMatchObject({ status: 'cancelled', cancelRequestedBy: 'alice@example.com' });
    expect(groupOf(execId)).toBeUndefined();
    await waitFor('the container process to be gone', async () => (isAlive(launchedPid) ? undefined : true));
  });

  it('past its timeout: the group is deleted and the run timed out', async () => {
    const execId = await start({ id: 'sleep', timeoutSeconds: 2 });
    const { execution } = await finished(execId);
    expect(execution.status).toBe('timed_out');
    expect(groupOf(execId)).toBeUndefined();
  });

  it('ends in error with ARM’s message when the quota is exhausted, and leaves no group', async () => {
    aci.quotaExceeded();
    const execId = await start({ id: 'env' });
    const { execution, log } = await finished(execId);
    expect(execution.status).toBe('error');
    expect(execution.error).toMatch(/quota 'StandardCores' exceeded/);
    expect(log).toMatch(/quota 'StandardCores' exceeded/);
    expect(groupOf(execId)).toBeUndefined();
  });

  it('ends in error with ARM’s message when the image cannot be pulled', async () => {
    aci.imagePullFails('cloudo.azurecr.io/cloudo-worker:1.2.3');
    try {
      const execId = await start({ id: 'env' });
      const { execution } = await finished(execId);
      expect(execution.status).toBe('error');
      expect(execution.error).toMatch(/pull|not accessible/i);
      expect(groupOf(execId)).toBeUndefined();
    } finally {
      aci.imagePullWorks('cloudo.azurecr.io/cloudo-worker:1.2.3');
    }
  });

  it('waits out ARM’s throttling on create and runs', async () => {
    aci.throttle('create', 1, 1);
    const execId = await start({ id: 'env' });
    const { execution } = await finished(execId);
    expect(execution.status).toBe('succeeded');
    const creates = aci.requests.filter((r) => r.op === 'create' && r.path.includes(containerGroupName(execId)));
    expect(creates.map((r) => r.status)).toEqual([429, expect.any(Number)]);
    expect((creates[1]?.atMs ?? 0) - (creates[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('gives the one-shot process only its own run, and a log URL that can only append to its own log', async () => {
    const execId = await start({ id: 'sleep' });
    await waitFor('the runbook to start', async () =>
      (await t.storage.logs.read(execId))?.toString('utf8').includes('sleeping') ? true : undefined,
    );
    const env = launchOf(execId)?.env ?? {};
    const capability = env.CLOUDO_RUN_CAPABILITY ?? '';
    const read = (id: string, cap: string) =>
      fetch(`${app.url}/api/runs/${id}/isolated`, { headers: { [RUN_CAPABILITY_HEADER]: cap } });
    expect((await read(execId, capability)).status).toBe(200);
    const other = await start({ id: 'sleep' });
    const refused = await read(other, capability);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: `${RUN_CAPABILITY_HEADER} refused (bad-signature)` });
    // a capability made for a shared run is no use either: the app only serves container runs
    const shared = planRun(testSchema({ id: 'env' }), HTTP_TRIGGER);
    await t.storage.executions.create(shared.execution);
    const sharedRead = await read(
      shared.execution.execId,
      runCapability(KEY, shared.execution.execId, Date.now() + 60_000),
    );
    expect(sharedRead.status).toBe(403);

    const logUrl = new URL(env.CLOUDO_LOG_URL ?? '');
    const ownLog = new AppendBlobClient(logUrl.toString(), new AnonymousCredential());
    await expect(ownLog.download()).rejects.toMatchObject({ statusCode: 403 });
    const otherUrl = new URL(logUrl);
    otherUrl.pathname = otherUrl.pathname.replace(`${execId}.log`, `${other}.log`);
    await expect(new AppendBlobClient(otherUrl.toString(), new AnonymousCredential()).create()).rejects.toMatchObject({
      statusCode: 403,
    });
    for (const id of [execId, other]) await cancel(id, 'test');
    await Promise.all([finished(execId), finished(other)]);
  });
});
