import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { AlertIntake } from '../../../src/intake/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { testAlert } from '../../support/alerts.js';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

const VM1 = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1';
const VM2 = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-2';

/** Schema concurrency `queue`: alert runs on one resource run one after the other, others in parallel. */
describe('one run at a time per schema and resource', () => {
  let t: TestStorage;
  let workers: QueueWorker[];

  beforeAll(async () => {
    t = await createTestStorage();
    const dir = await makeRunbooks({ 'slow.sh': '#!/usr/bin/env bash\nsleep 0.6\n' });
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'restart', runbook: 'slow.sh', concurrency: 'queue', dedupeWindowMinutes: 0 }),
    ]);
    // two workers competing for the same queue, as two containers would
    workers = [startTestWorker(t, dir, { waitTurnMs: 1_000 }), startTestWorker(t, dir, { waitTurnMs: 1_000 })];
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close({ force: true })));
    await t.cleanup();
  });

  it('runs three alerts on vm-1 one after the other while vm-2 runs alongside', { timeout: 60_000 }, async () => {
    const schema = await t.storage.schemas.get('restart');
    const intake = new AlertIntake(t.storage);
    const trigger = { source: 'alert', actor: null, team: null, principal: null } as const;
    const ids: string[] = [];
    for (const [i, resourceId] of [VM1, VM1, VM1, VM2].entries()) {
      const [o] = await intake.accept({
        schema,
        alerts: [testAlert({ alertId: `q${i}`, resourceId })],
        payload: {},
        trigger,
      });
      ids.push(o?.execId ?? '');
    }
    const runs = await waitFor(
      'all four runs to finish',
      async () => {
        const rows = await Promise.all(ids.map(async (id) => (await t.storage.executions.get(id))?.execution));
        return rows.every((r) => r && isTerminal(r.status)) ? (rows as Execution[]) : undefined;
      },
      // waiting turns are whole seconds of queue visibility; on a loaded 2-core machine this adds up
      40_000,
    );
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const onVm1 = runs.slice(0, 3).sort((a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? ''));
    for (let i = 1; i < onVm1.length; i++) {
      expect(Date.parse(onVm1[i]?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(onVm1[i - 1]?.finishedAt ?? ''));
    }
    // vm-2 did not wait for vm-1's queue to drain
    expect(Date.parse(runs[3]?.startedAt ?? '')).toBeLessThan(Date.parse(onVm1[2]?.startedAt ?? ''));
  });
});
