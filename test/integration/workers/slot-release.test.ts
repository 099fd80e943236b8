import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import { createStorage } from '../../../src/storage/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import type { StorageFaultProxy } from '../../support/storage-fault-proxy.js';
import { startStorageFaultProxy } from '../../support/storage-fault-proxy.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

const UPLOAD_DELAY_MS = 1_000;

/**
 * Issue 19.2: a worker's concurrency bounds runbooks running, not runs being written down. With one
 * slot and a slow log store, the next run starts as soon as the previous runbook has exited, while the
 * previous run's log is still uploading.
 */
describe('a concurrency slot', () => {
  let t: TestStorage;
  let proxy: StorageFaultProxy;
  let worker: QueueWorker;

  beforeAll(async () => {
    t = await createTestStorage();
    proxy = await startStorageFaultProxy(inject('azuriteConnectionString'), 'BlobEndpoint');
    proxy.rule = (req) => (req.method === 'PUT' && req.url?.includes('.log') ? { delayMs: UPLOAD_DELAY_MS } : 'pass');
    const logs = createStorage({
      connection: { kind: 'connection-string', connectionString: proxy.connectionString },
      namespace: t.settings.namespace,
    }).logs;
    const dir = await makeRunbooks({ 'hello.sh': '#!/usr/bin/env bash\necho hello\n' });
    // no periodic flush: the only upload is the whole log, once the runbook has exited
    worker = startTestWorker(t, dir, { logs, concurrency: 1, logFlushIntervalMs: 60_000 });
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await proxy.close();
    await t.cleanup();
  });

  it('goes to the next run when the runbook exits, not when its log is stored', async () => {
    const plans = [0, 1].map(() => planRun(testSchema({ id: 'hello', runbook: 'hello.sh' }), HTTP_TRIGGER));
    for (const plan of plans) await new RunDispatcher(t.storage).dispatch(plan);
    const runs = await Promise.all(
      plans.map((plan) =>
        waitFor(
          'the run to succeed',
          async () => {
            const e = (await t.storage.executions.get(plan.execution.execId))?.execution;
            return e?.status === 'succeeded' ? e : undefined;
          },
          20_000,
        ),
      ),
    );
    const [first, second] = runs.sort((a, b) => at(a, 'startedAt') - at(b, 'startedAt')) as [Execution, Execution];
    expect(first.logBytes).toBe(6);
    // held until its log was stored, the slot would free at least UPLOAD_DELAY_MS after the first exited
    expect(at(second, 'startedAt') - at(first, 'finishedAt')).toBeLessThan(UPLOAD_DELAY_MS);
  });
});

function at(run: Execution, field: 'startedAt' | 'finishedAt'): number {
  return Date.parse(run[field] ?? '');
}
