import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../../src/core/run-plan.js';
import { InvocationContext } from '../../../src/functions/azure-runtime.js';
import { housekeepingFunction } from '../../../src/functions/housekeeping.js';
import { triggerFunction } from '../../../src/functions/trigger.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import { decodeMessage } from '../../../src/storage/job-queue.js';
import { bearerFor, callHttp, testServices } from '../../support/functions.js';
import { asRun } from '../../support/runs.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { workerBeat } from '../../support/worker-beat.js';

const tick = () => new InvocationContext({ invocationId: 'tick', functionName: 'Housekeeping' });

/**
 * Issue 13.5: a schema naming a worker nobody deployed must not leave its runs `accepted` for ever with
 * no word to anyone.
 */
describe('runs for a capability no worker serves', () => {
  let t: TestStorage;
  let operator: string;

  beforeAll(async () => {
    t = await createTestStorage();
    operator = await bearerFor(t, 'operator');
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'nightly', worker: 'Nightly', oncall: true }),
      testSchema({ id: 'served', worker: 'Runbook' }),
    ]);
    // a live worker of Runbook, and none of Nightly
    await t.storage.workers.beat(workerBeat());
  });
  afterAll(() => t.cleanup());

  it('are accepted with a warning naming the capability; served ones without', async () => {
    const trigger = triggerFunction(testServices(t));
    const call = (id: string) =>
      callHttp(trigger, { url: `http://x/api/Trigger?id=${id}`, headers: { authorization: operator } });
    const unserved = await call('nightly');
    expect(unserved.status).toBe(202);
    expect(unserved.json).toMatchObject({
      status: 'accepted',
      warning: expect.stringContaining('no live worker serves capability Nightly'),
    });
    const served = await call('served');
    expect(served.status).toBe(202);
    expect(served.json).not.toHaveProperty('warning');
  });

  it('end error once queued past CLOUDO_QUEUED_TIMEOUT_MS, announced and taken off the queue', async () => {
    const old = planRun(testSchema({ id: 'nightly', worker: 'Nightly', oncall: true }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(old);
    const waitingForRunbook = planRun(testSchema({ id: 'served', worker: 'Runbook' }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(waitingForRunbook);
    // the limit is on the messages' queue time: 3 s leaves the younger run 3 s of margin on a loaded machine
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const young = planRun(testSchema({ id: 'nightly', worker: 'Nightly', oncall: true }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(young);

    await housekeepingFunction(testServices(t, { queuedTimeoutMs: 3_000 })).handler(tick());

    const status = async (id: string) => (await t.storage.executions.get(id))?.execution;
    expect(await status(old.execution.execId)).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/^no worker served capability Nightly: queued \d+ min without a live worker/),
    });
    // a younger run of it waits on; a run of a served capability is its worker's to run, however long it waits
    expect((await status(young.execution.execId))?.status).toBe('accepted');
    expect((await status(waitingForRunbook.execution.execId))?.status).toBe('accepted');

    const results = t.storage.clients.queue(t.storage.names.resultsQueue);
    const { receivedMessageItems } = await results.receiveMessages({ numberOfMessages: 32 });
    const announced = receivedMessageItems.map(
      (m) => decodeMessage(m.messageText) as { execId: string; status: string },
    );
    expect(announced).toContainEqual(expect.objectContaining({ execId: old.execution.execId, status: 'error' }));
    // its message is gone, the young one stays (with no delivery counted against it)
    const nightly = t.storage.clients.queue(t.storage.names.jobQueue('Nightly'));
    const left = (await nightly.peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
    expect(left.map((m) => (decodeMessage(m.messageText) as { execId: string }).execId)).toEqual([
      young.execution.execId,
    ]);
    expect(left[0]?.dequeueCount).toBe(0);
  });

  it('housekeeping does not abandon runs on silence it has not watched for a whole stale window', async () => {
    const plan = planRun(testSchema({ id: 'served', worker: 'Runbook' }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    const row = await t.storage.executions.get(plan.execution.execId);
    if (!row) throw new Error('no row');
    await t.storage.executions.transition(row, {
      ...asRun(row.execution),
      status: 'running',
      startedAt: new Date(Date.now() - 60_000).toISOString(),
      workerId: 'w-gone',
    });
    const housekeeping = housekeepingFunction(testServices(t, { staleWorkerMs: 1_000 }));
    // its first tick after a start (or an outage): the run's worker is unknown, but housekeeping only began watching
    await housekeeping.handler(tick());
    expect((await t.storage.executions.get(plan.execution.execId))?.execution.status).toBe('running');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await housekeeping.handler(tick());
    expect((await t.storage.executions.get(plan.execution.execId))?.execution.status).toBe('abandoned');
  });
});
