import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArmContainerGroupsOptions, ContainerGroupSpec } from '../../../src/containers/index.js';
import { ArmContainerGroups, ContainerGroupError } from '../../../src/containers/index.js';
import type { FakeContainerInstances } from '../../support/fake-container-instances.js';
import {
  fakeArmCredential,
  spawnCommand,
  startFakeContainerInstances,
} from '../../support/fake-container-instances.js';
import { isAlive, waitFor } from '../../support/wait.js';

const RUN_IDENTITY =
  '/subscriptions/00000000-0000-0000-0000-00000000a11c/resourceGroups/rg-ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-runbooks';
const PULL_IDENTITY =
  '/subscriptions/00000000-0000-0000-0000-00000000a11c/resourceGroups/rg-ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-acr-pull';
const SUBNET =
  '/subscriptions/00000000-0000-0000-0000-00000000a11c/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aci';

describe('ArmContainerGroups against a loopback ARM ContainerInstance API', () => {
  let aci: FakeContainerInstances;
  // each group's container process, by group name: what "the container was killed" is checked on
  const containers = new Map<string, ChildProcess>();

  beforeAll(async () => {
    aci = await startFakeContainerInstances({
      launch: (group) => {
        const child = spawnCommand(group);
        containers.set(group.name, child);
        return child;
      },
    });
  });
  afterAll(() => aci.close());

  const groupsClient = (options: Partial<ArmContainerGroupsOptions> = {}) =>
    new ArmContainerGroups({
      settings: aci.settings,
      credential: fakeArmCredential,
      pollMs: 50,
      clientOptions: { tlsOptions: { ca: aci.ca } },
      ...options,
    });
  const spec = (overrides: Partial<ContainerGroupSpec> = {}): ContainerGroupSpec => {
    const execId = randomUUID();
    return {
      name: `cloudo-run-${execId}`,
      location: 'westeurope',
      image: 'cloudoacr.azurecr.io/cloudo-worker:1.4.0',
      command: ['bash', '-c', 'sleep 60'],
      environment: { CLOUDO_EXEC_ID: execId },
      secureEnvironment: { CLOUDO_RUN_TOKEN: 'run-token-secret' },
      cpu: 1,
      memoryGb: 1.5,
      identityResourceIds: [RUN_IDENTITY],
      subnetId: null,
      registry: null,
      tags: { 'cloudo-exec-id': execId, 'cloudo-timeout-ms': '600000' },
      ...overrides,
    };
  };
  const requestsFor = (name: string, method: string) =>
    aci.requests.filter((r) => r.method === method && r.path.endsWith(`/containerGroups/${name}`));
  const errorOf = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a rejection');
      },
      (err: unknown) => err,
    );

  it('creates a private group with the run identity, secrets as secure values, restart Never, and waits until it runs', async () => {
    const groups = groupsClient();
    const s = spec({
      subnetId: SUBNET,
      registry: { server: 'cloudoacr.azurecr.io', identityResourceId: PULL_IDENTITY },
    });
    await groups.create(s);

    const [group] = aci.groups().filter((g) => g.name === s.name);
    expect(group?.isRunning).toBe(true);
    expect(group?.tags).toEqual(s.tags);
    const { properties, identity, location } = group?.spec ?? { properties: { containers: [] } };
    expect(location).toBe('westeurope');
    expect(properties.ipAddress).toBeUndefined();
    expect(properties.restartPolicy).toBe('Never');
    expect(properties.osType).toBe('Linux');
    expect(properties.subnetIds).toEqual([{ id: SUBNET }]);
    expect(properties.imageRegistryCredentials).toEqual([{ server: 'cloudoacr.azurecr.io', identity: PULL_IDENTITY }]);
    // ACI pulls as an identity of the group: the registry's is attached beside the run's
    expect(identity?.type).toBe('UserAssigned');
    expect(Object.keys(identity?.userAssignedIdentities ?? {}).sort()).toEqual([PULL_IDENTITY, RUN_IDENTITY].sort());
    expect(properties.containers).toHaveLength(1);
    expect(properties.containers[0]).toEqual({
      name: 'run',
      properties: {
        image: s.image,
        command: ['bash', '-c', 'sleep 60'],
        environmentVariables: [
          { name: 'CLOUDO_EXEC_ID', value: s.environment.CLOUDO_EXEC_ID },
          { name: 'CLOUDO_RUN_TOKEN', secureValue: 'run-token-secret' },
        ],
        resources: { requests: { cpu: 1, memoryInGB: 1.5 } },
      },
    });
    expect(await groups.state(s.name)).toMatchObject({ phase: 'running' });
    await groups.delete(s.name);
  });

  it('sends no identity, subnet or registry login when the run has none', async () => {
    const groups = groupsClient();
    const s = spec({ identityResourceIds: [], secureEnvironment: {} });
    await groups.create(s);
    const group = aci.groups().find((g) => g.name === s.name);
    expect(group?.spec.identity).toBeUndefined();
    expect(group?.spec.properties.subnetIds).toBeUndefined();
    expect(group?.spec.properties.imageRegistryCredentials).toBeUndefined();
    expect(group?.spec.properties.ipAddress).toBeUndefined();
    await groups.delete(s.name);
  });

  it('follows a group from pending through running to terminated with the exit code of its process', async () => {
    const groups = groupsClient();
    const s = spec({ command: ['bash', '-c', 'sleep 1; echo hi; exit 3'] });
    aci.startDelayMs = 1_500;
    const creating = groups.create(s);
    try {
      const pending = await waitFor('the group to exist', async () => {
        const state = await groups.state(s.name);
        return state.phase === 'gone' ? undefined : state;
      });
      expect(pending).toEqual({ phase: 'pending', detail: `pulling image "${s.image}"` });
      await creating;
    } finally {
      aci.startDelayMs = 0;
    }
    const running = await groups.state(s.name);
    expect(running.phase === 'running' && Date.parse(running.startedAt ?? '')).toBeGreaterThan(0);
    const ended = await waitFor('the container to end', async () => {
      const state = await groups.state(s.name);
      return state.phase === 'terminated' ? state : undefined;
    });
    expect(ended).toMatchObject({ phase: 'terminated', exitCode: 3, detail: 'Error' });
    expect(ended.phase === 'terminated' && Date.parse(ended.finishedAt ?? '')).toBeGreaterThan(0);
    await groups.delete(s.name);
  });

  it('reads the last lines the container printed, stdout and stderr alike', async () => {
    const groups = groupsClient();
    const s = spec({ command: ['bash', '-c', 'for i in 1 2 3 4; do echo "line $i"; done; echo oops >&2'] });
    await groups.create(s);
    await waitFor('the container to end', async () =>
      (await groups.state(s.name)).phase === 'terminated' ? true : undefined,
    );
    expect(await groups.logs(s.name, 2)).toBe('line 4\noops\n');
    expect(await groups.logs(s.name, 100)).toBe('line 1\nline 2\nline 3\nline 4\noops\n');
    await groups.delete(s.name);
  });

  it('creating the same group twice starts one container', async () => {
    const groups = groupsClient();
    const s = spec();
    await groups.create(s);
    await groups.create(s);
    expect(requestsFor(s.name, 'PUT').map((r) => r.status)).toEqual([201, 200]);
    expect(aci.groups().filter((g) => g.name === s.name)).toMatchObject([{ launches: 1, isRunning: true }]);
    await groups.delete(s.name);
  });

  it('delete kills the container and the group is gone; deleting again is fine', async () => {
    const groups = groupsClient();
    const s = spec({ command: ['bash', '-c', 'trap "" TERM; sleep 60 & wait'] });
    await groups.create(s);
    const pid = containers.get(s.name)?.pid ?? 0;
    expect(isAlive(pid)).toBe(true);
    await groups.delete(s.name);
    // it ignored SIGTERM: only the SIGKILL of its process group ended it
    expect(isAlive(pid)).toBe(false);
    expect(await groups.state(s.name)).toEqual({ phase: 'gone' });
    expect(aci.groups().some((g) => g.name === s.name)).toBe(false);
    await groups.delete(s.name);
    expect(requestsFor(s.name, 'DELETE').map((r) => r.status)).toEqual([200, 204]);
  });

  it('lists only the groups tagged with an exec id', async () => {
    const groups = groupsClient();
    const ours = spec();
    const foreign = spec({ tags: { owner: 'someone-else' } });
    await groups.create(ours);
    await groups.create(foreign);
    const listed = await groups.list();
    expect(listed).toContainEqual({ name: ours.name, tags: ours.tags });
    expect(listed.some((g) => g.name === foreign.name)).toBe(false);
    await groups.delete(ours.name);
    await groups.delete(foreign.name);
  });

  it('waits out a 429 for as long as Retry-After says, then succeeds', async () => {
    const groups = groupsClient();
    const s = spec();
    aci.throttle('create', 1, 1);
    await groups.create(s);
    const puts = requestsFor(s.name, 'PUT');
    expect(puts.map((r) => r.status)).toEqual([429, 201]);
    expect((puts[1]?.atMs ?? 0) - (puts[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(950);
    await groups.delete(s.name);
  });

  it('retries a 409 (another operation in progress) after its Retry-After', async () => {
    const groups = groupsClient();
    const s = spec();
    await groups.create(s);
    aci.conflict('delete', 2, 1);
    await groups.delete(s.name);
    expect(requestsFor(s.name, 'DELETE').map((r) => r.status)).toEqual([409, 409, 200]);
    expect(aci.groups().some((g) => g.name === s.name)).toBe(false);
  });

  it('a quota refusal throws at once with ARM’s code and message, and nothing is created', async () => {
    const groups = groupsClient();
    const s = spec();
    aci.quotaExceeded();
    const err = await errorOf(groups.create(s));
    expect(err).toBeInstanceOf(ContainerGroupError);
    expect(err).toMatchObject({ code: 'ContainerGroupQuotaReached', status: 400 });
    expect((err as Error).message).toBe(
      "Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota 'StandardCores' exceeded in region 'westeurope'. Limit: '10', Usage: '10' Requested: '1'.",
    );
    expect(requestsFor(s.name, 'PUT')).toHaveLength(1);
    expect(aci.groups().some((g) => g.name === s.name)).toBe(false);
  });

  it('an image that cannot be pulled: the state is failed with ACI’s event, then create throws ARM’s error', async () => {
    const groups = groupsClient();
    const s = spec({ image: 'cloudoacr.azurecr.io/cloudo-worker:no-such-tag' });
    aci.imagePullFails(s.image, 1_500);
    const creating = errorOf(groups.create(s));
    // before ACI gives up, the Waiting container's Failed event already says the run will never start
    const failed = await waitFor('the failed pull to show', async () => {
      const state = await groups.state(s.name);
      return state.phase === 'failed' ? state : undefined;
    });
    expect(failed).toEqual({
      phase: 'failed',
      error: expect.stringMatching(/^Failed to pull image "cloudoacr\.azurecr\.io\/cloudo-worker:no-such-tag": /),
    });
    const err = await creating;
    expect(err).toBeInstanceOf(ContainerGroupError);
    expect(err).toMatchObject({
      code: 'InaccessibleImage',
      message: `The image '${s.image}' in container group '${s.name}' is not accessible. Please check the image and registry credential.`,
    });
    expect(aci.groups().find((g) => g.name === s.name)?.launches).toBe(0);
    await groups.delete(s.name);
  });

  it('an abort ends a Retry-After wait early', async () => {
    const groups = groupsClient();
    const name = spec().name;
    aci.throttle('get', 1, 30);
    const aborter = new AbortController();
    const startedMs = Date.now();
    const reading = errorOf(groups.state(name, aborter.signal));
    await waitFor('the throttled GET', () => (requestsFor(name, 'GET')[0]?.status === 429 ? true : undefined));
    aborter.abort();
    expect(await reading).toMatchObject({ name: 'AbortError' });
    // far below the 30 s ARM asked for
    expect(Date.now() - startedMs).toBeLessThan(15_000);
    expect(requestsFor(name, 'GET')).toHaveLength(1);
  });

  it('past the retry budget, the throttle is thrown as a ContainerGroupError with ARM’s message', async () => {
    const groups = groupsClient({ retryBudgetMs: 1_500 });
    aci.throttle('list', 2, 1);
    const before = aci.requests.filter((r) => r.op === 'list').length;
    const err = await errorOf(groups.list());
    expect(err).toBeInstanceOf(ContainerGroupError);
    expect(err).toMatchObject({ code: 'SubscriptionRequestsThrottled', status: 429 });
    expect((err as Error).message).toMatch(/Please try again after '1' seconds/);
    // one retry after 1 s fit the budget; a second wait would have overrun it
    expect(aci.requests.filter((r) => r.op === 'list').length - before).toBe(2);
  });
});
