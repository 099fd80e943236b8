import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../../src/core/run-plan.js';
import { abandonStaleRuns, RunDispatcher } from '../../../src/runs/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

/**
 * Issue 13.4: housekeeping cannot tell a worker out of touch (a storage outage) from a dead one, so it
 * may write `abandoned` for a run that is still going. The worker's real outcome must win.
 */
describe('an outcome reported after housekeeping abandoned the run', () => {
  let t: TestStorage;
  let worker: QueueWorker;

  beforeAll(async () => {
    t = await createTestStorage();
    const dir = await makeRunbooks({ 'slow.sh': '#!/usr/bin/env bash\nsleep 1\necho done\n' });
    worker = startTestWorker(t, dir);
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await t.cleanup();
  });

  it('replaces abandoned, and the run says it came late', async () => {
    const plan = planRun(testSchema({ id: 'slow', runbook: 'slow.sh' }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    const { execId } = plan.execution;
    await waitFor('the run to start', async () =>
      (await t.storage.executions.get(execId))?.execution.status === 'running' ? true : undefined,
    );
    // seen from ten seconds ahead, the live worker's heartbeat looks stale: as after an outage
    const abandoned = await abandonStaleRuns({
      executions: t.storage.executions,
      workers: t.storage.workers,
      staleAfterMs: 1_000,
      now: new Date(Date.now() + 10_000),
    });
    expect(abandoned.map((r) => r.execId)).toEqual([execId]);
    const abandonedAt = abandoned[0]?.finishedAt;

    const final = await waitFor('the worker to report the real outcome', async () => {
      const e = (await t.storage.executions.get(execId))?.execution;
      return e?.status === 'abandoned' ? undefined : e;
    });
    expect(final).toMatchObject({ status: 'succeeded', exitCode: 0, abandonedAt });
    expect((await t.storage.logs.read(execId))?.toString()).toContain('done');
  });
});
