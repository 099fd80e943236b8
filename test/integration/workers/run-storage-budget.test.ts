import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resultsFunction } from '../../../src/functions/results.js';
import { triggerFunction } from '../../../src/functions/trigger.js';
import type { Storage } from '../../../src/storage/index.js';
import { createStorage } from '../../../src/storage/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { workerStores } from '../../../workers/queue-worker.js';
import { callHttp, deliverMessage, testServices } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import type { MeteredCall, StorageMeter } from '../../support/storage-meter.js';
import { startStorageMeter } from '../../support/storage-meter.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

/**
 * Issue 19.2: the storage requests one trivial run costs, from `GET /api/Trigger?id=` to the results
 * function, counted on the wire, per phase. The budget is what the run path costs now: a change that
 * adds a request fails here with the whole listing. Periodic costs that do not grow with runs (idle
 * polls, worker heartbeats) are listed apart; cancel checks and log flushes, which grow with a run's
 * length, are kept out of a run this short by long intervals (each costs one request per interval).
 */
const BUDGET = {
  trigger: 4,
  claim: 3,
  running: 0,
  log: 1,
  finish: 1,
  'result message': 1,
  ack: 1,
  'results handler (notifications off)': 0,
} as const;
type Phase = keyof typeof BUDGET;

describe('storage requests of one trivial run', () => {
  let t: TestStorage;
  let appMeter: StorageMeter;
  let workerMeter: StorageMeter;
  let workerStorage: Storage;
  let worker: QueueWorker;
  let app: ReturnType<typeof testServices>;

  beforeAll(async () => {
    t = await createTestStorage();
    const connectionString = inject('azuriteConnectionString');
    appMeter = await startStorageMeter(connectionString, t.settings.namespace);
    workerMeter = await startStorageMeter(connectionString, t.settings.namespace);
    const metered = (meter: StorageMeter) => ({
      ...t.settings,
      connection: { kind: 'connection-string' as const, connectionString: meter.connectionString },
    });
    app = testServices({ ...t, settings: metered(appMeter) });
    workerStorage = createStorage(metered(workerMeter));
    await t.storage.schemas.importSchemas([testSchema({ id: 'hello', runbook: 'hello.sh' })]);
    const dir = await makeRunbooks({ 'hello.sh': '#!/usr/bin/env bash\necho "hello from a trivial run"\n' });
    worker = startTestWorker(t, dir, {
      ...workerStores(workerStorage, 'Runbook'),
      concurrency: 1,
      heartbeatMs: 600_000,
      cancelPollMs: 600_000,
      logFlushIntervalMs: 60_000,
    });
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await Promise.all([appMeter.close(), workerMeter.close()]);
    await t.cleanup();
  });

  /** One run end to end; returns every request, app's and worker's, by phase. */
  async function oneRun(): Promise<{ phases: Record<Phase, MeteredCall[]>; periodic: MeteredCall[] }> {
    appMeter.take();
    const trigger = await callHttp(triggerFunction(app), {
      url: 'http://localhost/api/Trigger?id=hello',
      query: { id: 'hello' },
    });
    expect(trigger.status).toBe(202);
    const triggerCalls = appMeter.take();
    const { exec_id: execId } = trigger.json as { exec_id: string };
    // the job message's delete is the worker's last request for a run
    await waitFor('the worker to finish with the message', () =>
      workerMeter.calls.some((c) => /cloudo-jobs-\S+ delete message/.test(c.operation)) ? true : undefined,
    );
    const workerCalls = workerMeter.take();
    const results = t.storage.clients.queue(t.storage.names.resultsQueue);
    const { receivedMessageItems } = await results.receiveMessages({ numberOfMessages: 1 });
    const [announced] = receivedMessageItems;
    if (!announced) throw new Error('no result was announced');
    const message = JSON.parse(Buffer.from(announced.messageText, 'base64').toString('utf8')) as { execId: string };
    expect(message.execId).toBe(execId);
    await results.deleteMessage(announced.messageId, announced.popReceipt);
    appMeter.take();
    await deliverMessage(resultsFunction(app, t.settings.namespace), message);
    const handlerCalls = appMeter.take();
    expect((await t.storage.executions.get(execId))?.execution.status).toBe('succeeded');
    return { ...splitWorkerCalls(workerCalls, triggerCalls, handlerCalls) };
  }

  it('stays within its budget per phase', async () => {
    // the first run pays for what is made once (the results queue) and for the worker-presence cache
    await oneRun();
    const { phases, periodic } = await oneRun();
    const listing = describePhases(phases, periodic);
    const over = (Object.keys(BUDGET) as Phase[]).filter((phase) => phases[phase].length > BUDGET[phase]);
    expect(over, listing).toEqual([]);
  });
});

/**
 * The worker's requests in order: its receive through the claim's write, requests while the script runs
 * (log blobs apart), the outcome's write, the result's send and the job message's delete.
 */
function splitWorkerCalls(
  workerCalls: MeteredCall[],
  triggerCalls: MeteredCall[],
  handlerCalls: MeteredCall[],
): { phases: Record<Phase, MeteredCall[]>; periodic: MeteredCall[] } {
  const phases: Record<Phase, MeteredCall[]> = {
    trigger: triggerCalls,
    claim: [],
    running: [],
    log: [],
    finish: [],
    'result message': [],
    ack: [],
    'results handler (notifications off)': handlerCalls,
  };
  const periodic: MeteredCall[] = [];
  const isWrite = (c: MeteredCall) => c.operation === 'Executions replace/upsert';
  const lastWrite = workerCalls.findLastIndex(isWrite);
  let claimed = false;
  for (const [i, call] of workerCalls.entries()) {
    if (call.received === 0 || call.operation.startsWith('Workers ')) periodic.push(call);
    else if (!claimed) {
      phases.claim.push(call);
      claimed = isWrite(call);
    } else if (i === lastWrite) phases.finish.push(call);
    else if (call.operation.startsWith('cloudo-results ')) phases['result message'].push(call);
    else if (/cloudo-jobs-\S+ delete message/.test(call.operation)) phases.ack.push(call);
    else if (call.service === 'blob') phases.log.push(call);
    else phases.running.push(call);
  }
  return { phases, periodic };
}

function describePhases(phases: Record<Phase, MeteredCall[]>, periodic: MeteredCall[]): string {
  const lines = (Object.keys(BUDGET) as Phase[]).map(
    (phase) =>
      `${phase}: ${phases[phase].length} (budget ${BUDGET[phase]})${phases[phase].map((c) => `\n    ${c.operation} → ${c.status}`).join('')}`,
  );
  const total = Object.values(phases).reduce((n, calls) => n + calls.length, 0);
  const budget = Object.values(BUDGET).reduce((n: number, b) => n + b, 0);
  return [
    `storage requests of one trivial run: ${total} (budget ${budget})`,
    ...lines,
    `not per run (idle polls, heartbeats): ${periodic.map((c) => c.operation).join(', ') || 'none'}`,
  ].join('\n');
}
