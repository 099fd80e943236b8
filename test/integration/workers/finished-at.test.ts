import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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

/** Issue 13.8: a run's duration is the runbook's, not the time the log store took to take its last bytes. */
describe('finished_at', () => {
  let t: TestStorage;
  let proxy: StorageFaultProxy;
  let worker: QueueWorker;
  const appends: number[] = [];

  beforeAll(async () => {
    t = await createTestStorage();
    proxy = await startStorageFaultProxy(inject('azuriteConnectionString'), 'BlobEndpoint');
    // a slow store: every upload to a log blob (an append, or a quick run's whole log) waits before it
    // reaches Azurite
    proxy.rule = (req) => {
      if (req.method !== 'PUT' || !req.url?.includes('.log')) return 'pass';
      appends.push(Date.now());
      return { delayMs: 500 };
    };
    const logs = createStorage({
      connection: { kind: 'connection-string', connectionString: proxy.connectionString },
      namespace: t.settings.namespace,
    }).logs;
    const dir = await makeRunbooks({ 'hello.sh': '#!/usr/bin/env bash\necho hello\n' });
    // no periodic flush: the only upload is the last one, when the run ends
    worker = startTestWorker(t, dir, { logs, logFlushIntervalMs: 60_000 });
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await proxy.close();
    await t.cleanup();
  });

  it('is stamped when the runbook ends, before the last of its log is uploaded', async () => {
    const plan = planRun(testSchema({ id: 'hello', runbook: 'hello.sh' }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    const run = await waitFor('the run to succeed', async () => {
      const e = (await t.storage.executions.get(plan.execution.execId))?.execution;
      return e?.status === 'succeeded' ? e : undefined;
    });
    expect(run.logBytes).toBeGreaterThan(0);
    const lastAppendSent = Math.max(...appends);
    expect(Date.parse(run.finishedAt ?? '')).toBeLessThanOrEqual(lastAppendSent);
  });
});
