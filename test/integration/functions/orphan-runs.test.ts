import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../../src/core/run-plan.js';
import { InvocationContext } from '../../../src/functions/azure-runtime.js';
import { housekeepingFunction } from '../../../src/functions/housekeeping.js';
import { decodeMessage } from '../../../src/storage/job-queue.js';
import { testServices } from '../../support/functions.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const tick = () => new InvocationContext({ invocationId: 'tick', functionName: 'Housekeeping' });

/**
 * Issue 13 (chaos: host killed between "row written" and "message queued"): a run recorded but never
 * queued stayed `accepted` for ever. Housekeeping queues it again, once.
 */
describe('a run whose trigger died before queueing it', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage();
  });
  afterAll(() => t.cleanup());

  const queued = async () => {
    const queue = t.storage.clients.queue(t.storage.names.jobQueue('Runbook'));
    const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
    return peekedMessageItems.map((m) => (decodeMessage(m.messageText) as { execId: string }).execId);
  };

  it('is queued again once it has been accepted longer than CLOUDO_ORPHAN_AFTER_MS, and only once', async () => {
    await t.storage.jobs.forWorker('Runbook').ensureQueues();
    // the row as the dispatcher writes it, ten minutes ago, and no message: the host died right there
    const orphan = planRun(testSchema({ id: 'orphan' }), HTTP_TRIGGER, new Date(Date.now() - 10 * 60_000));
    await t.storage.executions.create(orphan.execution);
    const fresh = planRun(testSchema({ id: 'fresh' }), HTTP_TRIGGER);
    await t.storage.executions.create(fresh.execution);

    const housekeeping = housekeepingFunction(testServices(t, { orphanAfterMs: 5 * 60_000 }));
    await housekeeping.handler(tick());
    expect(await queued()).toEqual([orphan.execution.execId]);
    const row = (await t.storage.executions.get(orphan.execution.execId))?.execution;
    expect(row).toMatchObject({ status: 'accepted', requeuedAt: expect.any(String) });

    // once: a later tick does not queue it again (a run waiting its turn gets at most one duplicate)
    await housekeeping.handler(tick());
    expect(await queued()).toEqual([orphan.execution.execId]);
  });
});
