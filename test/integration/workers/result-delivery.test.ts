import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_ROUTING } from '../../../src/core/routing-rules.js';
import { jobFor, planRun } from '../../../src/core/run-plan.js';
import { RESULTS_MAX_DEQUEUE_COUNT, resultsFunction } from '../../../src/functions/results.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import type { Storage } from '../../../src/storage/index.js';
import { createStorage } from '../../../src/storage/index.js';
import { decodeMessage } from '../../../src/storage/job-queue.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import type { FakeSlack } from '../../support/fake-slack.js';
import { startFakeSlack } from '../../support/fake-slack.js';
import { deliverMessage, testServices } from '../../support/functions.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import type { StorageFaultProxy } from '../../support/storage-fault-proxy.js';
import { startStorageFaultProxy } from '../../support/storage-fault-proxy.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

/**
 * Issue 13.1: a finished run's result must reach on-call even when the results queue fails for a while.
 * The worker talks to the queues through a proxy that refuses every message sent to `cloudo-results`
 * until the outage ends; the run's job message must outlive the outage and announce the result then.
 */
describe('a result survives a results-queue outage', () => {
  let t: TestStorage;
  let proxy: StorageFaultProxy;
  let workerStorage: Storage;
  let worker: QueueWorker;
  let slack: FakeSlack;

  beforeAll(async () => {
    t = await createTestStorage();
    slack = await startFakeSlack({ channels: ['#cloudo'] });
    proxy = await startStorageFaultProxy(inject('azuriteConnectionString'), 'QueueEndpoint');
    workerStorage = createStorage({
      connection: { kind: 'connection-string', connectionString: proxy.connectionString },
      namespace: t.settings.namespace,
    });
    const dir = await makeRunbooks({ 'fail.sh': '#!/usr/bin/env bash\necho "disk full" >&2\nexit 3\n' });
    // the shortest lease the worker accepts: a message it could not finish comes back within seconds
    worker = startTestWorker(t, dir, { ...workerQueues(workerStorage), visibilityTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await proxy.close();
    await slack.close();
    await t.cleanup();
  });

  it('keeps the job message while the result cannot be announced, then pages exactly once', async () => {
    const resultsPath = `/${t.storage.names.resultsQueue}/messages`;
    let refused = 0;
    // a refusal the SDK does not retry, so the outage is felt at once (a 503 is retried for ~30 s first)
    proxy.rule = (req) => {
      if (req.method !== 'POST' || !req.url?.includes(resultsPath)) return 'pass';
      refused++;
      return 403;
    };

    const plan = planRun(testSchema({ id: 'disk', runbook: 'fail.sh', oncall: true }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    const { execId } = plan.execution;
    await waitFor('the run to fail', async () =>
      (await t.storage.executions.get(execId))?.execution.status === 'failed' ? true : undefined,
    );
    // announcing failed, and was retried on a later delivery of the job
    await waitFor('the worker to try again after its lease lapsed', () => (refused > 3 ? true : undefined), 15_000);
    proxy.rule = () => 'pass';

    const resultsQueue = t.storage.clients.queue(t.storage.names.resultsQueue);
    const announced = await waitFor(
      'the result on the results queue',
      async () => {
        const { receivedMessageItems } = await resultsQueue.receiveMessages({ numberOfMessages: 32 });
        return receivedMessageItems.length > 0 ? receivedMessageItems : undefined;
      },
      15_000,
    );
    // the job is done with: its message is gone, so nothing announces it again
    const jobs = t.storage.clients.queue(t.storage.names.jobQueue('Runbook'));
    await waitFor('the job message to be deleted', async () =>
      (await jobs.getProperties()).approximateMessagesCount === 0 ? true : undefined,
    );

    const results = resultsFunction(
      testServices(t, {
        notify: {
          slack: { token: slack.token, apiUrl: slack.apiUrl, defaultChannel: '#cloudo', signingSecret: null },
          opsgenie: null,
          pagerduty: null,
          publicUrl: 'https://cloudo.example',
          routing: DEFAULT_ROUTING,
          teams: new Map(),
          warnings: [],
        },
      }),
      t.settings.namespace,
    );
    for (const item of announced) await deliverMessage(results, decodeMessage(item.messageText));
    const pages = slack.messages.filter((m) => JSON.stringify(m).includes(execId));
    expect(pages).toHaveLength(1);
  });

  it('announces a finished run whose job message comes back (its worker died before announcing)', async () => {
    proxy.rule = () => 'pass';
    // what a worker killed between recording the outcome and announcing it leaves: a finished row, a message
    const plan = planRun(testSchema({ id: 'orphan', runbook: 'fail.sh', oncall: true }), HTTP_TRIGGER);
    const { execId } = plan.execution;
    const now = new Date().toISOString();
    await t.storage.executions.create({
      ...plan.execution,
      status: 'failed',
      exitCode: 3,
      startedAt: now,
      finishedAt: now,
    });
    await t.storage.jobs.enqueue(jobFor(plan.execution));
    const resultsQueue = t.storage.clients.queue(t.storage.names.resultsQueue);
    const announced = await waitFor('the finished run to be announced', async () => {
      const { receivedMessageItems } = await resultsQueue.receiveMessages({ numberOfMessages: 32 });
      const mine = receivedMessageItems.map((m) => decodeMessage(m.messageText) as { execId: string; status: string });
      return mine.find((m) => m.execId === execId);
    });
    expect(announced.status).toBe('failed');
  });

  it('gives the results function the retries host.json gives it', () => {
    const host = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../host.json'), 'utf8'));
    expect(host.extensions.queues.maxDequeueCount).toBe(RESULTS_MAX_DEQUEUE_COUNT);
  });
});

/** The worker's queues through the proxy; tables and blobs as usual. */
function workerQueues(storage: Storage) {
  return { queue: storage.jobs.forWorker('Runbook'), results: storage.results };
}
