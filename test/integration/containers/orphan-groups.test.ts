import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerGroupSpec } from '../../../src/containers/index.js';
import { ArmContainerGroups } from '../../../src/containers/index.js';
import type { Run } from '../../../src/core/execution.js';
import { containerGroupName, GROUP_TAGS } from '../../../src/core/isolation.js';
import { planRun } from '../../../src/core/run-plan.js';
import { sweepOrphanGroups } from '../../../src/runs/index.js';
import type { FakeContainerInstances } from '../../support/fake-container-instances.js';
import {
  fakeArmCredential,
  spawnCommand,
  startFakeContainerInstances,
} from '../../support/fake-container-instances.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const MINUTE = 60_000;
const TIMEOUT_MS = 10 * MINUTE;
const GRACE_MS = 15 * MINUTE;

/**
 * Housekeeping's sweep of isolated runs' container groups no worker will delete: a worker killed mid-run
 * leaves its group running (its run is abandoned, then outlives its timeout), a failed delete leaves a
 * finished run's group. Real groups (local processes) behind the loopback ARM, real run rows on Azurite.
 */
describe('the sweep of orphaned container groups', () => {
  let t: TestStorage;
  let aci: FakeContainerInstances;
  let groups: ArmContainerGroups;

  beforeAll(async () => {
    t = await createTestStorage();
    aci = await startFakeContainerInstances({ launch: spawnCommand });
    groups = new ArmContainerGroups({
      settings: aci.settings,
      credential: fakeArmCredential,
      pollMs: 50,
      clientOptions: { tlsOptions: { ca: aci.ca } },
    });
  });
  afterAll(async () => {
    await aci?.close();
    await t?.cleanup();
  });

  /** A run recorded as `patch` says, and its group created `ageMs` ago running `sleep`. */
  async function runWithGroup(patch: Partial<Run>, ageMs: number, record = true): Promise<string> {
    const plan = planRun(testSchema({ isolation: 'container', timeoutSeconds: TIMEOUT_MS / 1000 }), HTTP_TRIGGER);
    const run = { ...plan.execution, ...patch };
    if (record) await t.storage.executions.create(run);
    const spec: ContainerGroupSpec = {
      name: containerGroupName(run.execId),
      location: 'westeurope',
      image: 'cloudo.azurecr.io/cloudo-worker:1',
      command: ['sleep', '60'],
      environment: {},
      secureEnvironment: {},
      cpu: 1,
      memoryGb: 1.5,
      identityResourceIds: [],
      subnetId: null,
      registry: null,
      tags: {
        [GROUP_TAGS.execId]: run.execId,
        [GROUP_TAGS.createdAt]: new Date(Date.now() - ageMs).toISOString(),
        [GROUP_TAGS.timeoutMs]: String(TIMEOUT_MS),
      },
    };
    await groups.create(spec);
    return run.execId;
  }

  it('deletes what no worker will, and leaves what a worker may still be running', async () => {
    const running = await runWithGroup({ status: 'running' }, MINUTE);
    // its worker may only be out of touch: the runbook may still be running, until its timeout
    const abandonedRecently = await runWithGroup({ status: 'abandoned' }, MINUTE);
    // its worker was killed mid-run: the run was abandoned and the group outlived its timeout
    const workerKilled = await runWithGroup({ status: 'abandoned' }, TIMEOUT_MS + GRACE_MS + MINUTE);
    const deleteFailed = await runWithGroup({ status: 'succeeded' }, MINUTE);
    const runGone = await runWithGroup({}, MINUTE, false);

    const swept = await sweepOrphanGroups({ groups, executions: t.storage.executions, graceMs: GRACE_MS });
    expect(Object.fromEntries(swept.map((g) => [g.execId, g.reason]))).toEqual({
      [workerKilled]: "it outlived its run's timeout of 600 s",
      [deleteFailed]: 'its run ended succeeded and its worker did not delete it',
      [runGone]: 'its run does not exist',
    });
    const left = aci.groups().map((g) => g.name);
    expect(left.sort()).toEqual([containerGroupName(running), containerGroupName(abandonedRecently)].sort());
    expect(aci.groups().every((g) => g.isRunning)).toBe(true);
    // the next tick finds nothing more to do
    expect(await sweepOrphanGroups({ groups, executions: t.storage.executions, graceMs: GRACE_MS })).toEqual([]);
  });

  it('goes on past a group it cannot delete, and says which', async () => {
    // several leftovers, the first one listed refused: the others must not wait behind it for ever
    const locked = await runWithGroup({ status: 'failed' }, MINUTE);
    aci.refuseDelete(containerGroupName(locked));
    const others = [
      await runWithGroup({ status: 'succeeded' }, MINUTE),
      await runWithGroup({ status: 'cancelled' }, MINUTE),
    ];
    const refused: string[] = [];
    const swept = await sweepOrphanGroups({
      groups,
      executions: t.storage.executions,
      graceMs: GRACE_MS,
      onError: (name, err) => refused.push(`${name}: ${err instanceof Error ? err.message : String(err)}`),
    });
    expect(swept.map((g) => g.execId).sort()).toEqual([...others].sort());
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(new RegExp(`^${containerGroupName(locked)}: The client does not have authorization`));
    expect(aci.groups().map((g) => g.name)).toContain(containerGroupName(locked));
    for (const id of others) expect(aci.groups().map((g) => g.name)).not.toContain(containerGroupName(id));
  });
});
