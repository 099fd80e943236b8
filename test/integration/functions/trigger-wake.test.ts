import { createServer as createHttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { triggerFunction } from '../../../src/functions/trigger.js';
import { WorkerWake } from '../../../src/runs/index.js';
import { decodeMessage } from '../../../src/storage/job-queue.js';
import { bearerFor, callHttp, testServices } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { workerBeat } from '../../support/worker-beat.js';

const KEY = 'wake-key-0123456789abcdefghijklmnopqrstuvwxyz';

/** A port nothing listens on: taken, then given back. */
async function deadPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The nudge is best effort: a worker whose registered address is dead, or that never answers, neither
 * fails the trigger nor stops its run being queued (the queue is the truth; the worker will poll).
 */
describe('Trigger with unreachable wake-up addresses', () => {
  let t: TestStorage;
  let operator: string;
  const silentSockets: Socket[] = [];
  // accepts connections and never answers: a worker hung, or a network that drops the reply
  const silent = createServer((socket) => silentSockets.push(socket));
  // a worker that takes its nudges (a listener's answer, without checking the signature)
  const nudges: string[] = [];
  const awake = createHttpServer((req, res) => {
    nudges.push(String(req.headers['x-cloudo-wake']));
    res.writeHead(202).end();
  });

  const beat = (capability: string, wakeUrl: string) =>
    t.storage.workers.beat(workerBeat({ capability, workerId: `${capability}-1`, wakeUrl }));

  beforeAll(async () => {
    t = await createTestStorage();
    operator = await bearerFor(t, 'operator');
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'dead', worker: 'Dead' }),
      testSchema({ id: 'hung', worker: 'Hung' }),
      testSchema({ id: 'awake', worker: 'Awake' }),
    ]);
    await new Promise<void>((resolve) => awake.listen(0, '127.0.0.1', resolve));
    await beat('Awake', `http://127.0.0.1:${(awake.address() as { port: number }).port}/wake`);
    await beat('Dead', `http://127.0.0.1:${await deadPort()}/wake`);
    await beat('Hung', `http://127.0.0.1:${silentPort}/wake`);
  });
  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await new Promise<void>((resolve) => awake.close(() => resolve()));
    await t.cleanup();
  });

  const queued = async (worker: string) => {
    const queue = t.storage.clients.queue(t.storage.names.jobQueue(worker));
    const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
    return peekedMessageItems.map((m) => (decodeMessage(m.messageText) as { execId: string }).execId);
  };

  it.each([
    ['a dead port', 'dead', 'Dead'],
    ['a worker that never answers', 'hung', 'Hung'],
  ])(
    'answers 202 and queues the run when the only worker is at %s; the nudge is counted missed',
    async (_what, id, worker) => {
      const services = testServices(t, { wakeKey: KEY });
      const answer = await callHttp(triggerFunction(services), {
        url: `http://x/api/Trigger?id=${id}`,
        headers: { authorization: operator },
      });
      expect(answer.status).toBe(202);
      const { exec_id: execId, status } = answer.json as { exec_id: string; status: string };
      expect(status).toBe('accepted');
      expect(await queued(worker)).toEqual([execId]);
      expect((await t.storage.executions.get(execId))?.execution.status).toBe('accepted');
      const wake = services().wake as WorkerWake;
      // dropped after its own timeout, in the background
      await waitFor('the nudge given up', () => (wake.counts.missed === 1 ? true : undefined));
      expect(wake.counts.delivered).toBe(0);
      wake.close();
    },
  );

  it('has nudged a worker that answers before it answers itself: nothing is left to run after the answer', async () => {
    const app = testServices(t, { wakeKey: KEY })();
    // a bound no loaded machine reaches: what is checked is that the answer waits for the nudge at all
    const wake = new WorkerWake({ key: KEY, urls: (c) => app.workerPresence.wakeUrls(c), waitMs: 10_000 });
    const services = () => ({ ...app, wake });
    const answer = await callHttp(triggerFunction(services), {
      url: 'http://x/api/Trigger?id=awake',
      headers: { authorization: operator },
    });
    expect(answer.status).toBe(202);
    // counted the moment the answer exists, not later in the background
    expect(wake.counts).toEqual({ delivered: 1, missed: 0 });
    expect(nudges).toHaveLength(1);
    expect(nudges[0]).toMatch(/^v1\./);
  });
});
