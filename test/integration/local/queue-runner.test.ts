import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueFunctionDefinition } from '../../../src/functions/index.js';
import { readHostQueues } from '../../../src/local/host-json.js';
import { startQueueFunctions } from '../../../src/local/queue-runner.js';
import { encodeMessage } from '../../../src/storage/job-queue.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';

/**
 * The local host feeds queue functions as the Functions host does, with host.json's retry settings:
 * decoded JSON, a failed message back after `visibilityTimeout`, parked after `maxDequeueCount`.
 */
describe('local queue functions', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage();
  });
  afterAll(() => t.cleanup());

  it("takes host.json's queue settings, with the host's defaults for what it leaves out", () => {
    expect(readHostQueues()).toEqual({
      maxPollingIntervalMs: 250,
      visibilityTimeoutMs: 10_000,
      batchSize: 16,
      newBatchThreshold: 8,
      maxDequeueCount: 5,
    });
  });

  it('delivers decoded JSON, brings a throw back after visibilityTimeout, and parks it after maxDequeueCount', async () => {
    const queueName = `${t.settings.namespace}-local-fn`;
    const seen: { body: unknown; dequeueCount: unknown; at: number }[] = [];
    const definition: QueueFunctionDefinition = {
      kind: 'queue',
      name: 'Probe',
      queueName,
      handler: async (message, context) => {
        seen.push({ body: message, dequeueCount: context.triggerMetadata?.dequeueCount, at: Date.now() });
        if ((message as { fail?: boolean }).fail) throw new Error('not today');
      },
    };
    // host.json's settings, the retry delay shortened from 10 s (queues count it in whole seconds)
    const queues = { ...readHostQueues(), visibilityTimeoutMs: 1_000, maxDequeueCount: 3 };
    const runner = startQueueFunctions([definition], t.storage.clients, () => undefined, queues);
    try {
      const queue = t.storage.clients.queue(queueName);
      await queue.createIfNotExists();
      await queue.sendMessage(encodeMessage({ hello: 'world' }));
      await queue.sendMessage(encodeMessage({ fail: true }));
      const poison = t.storage.clients.queue(`${queueName}-poison`);
      const parked = await waitFor(
        'the failing message to be parked',
        async () => {
          if (!(await poison.exists())) return undefined;
          const items = (await poison.peekMessages()).peekedMessageItems;
          return items.length > 0 ? items : undefined;
        },
        15_000,
      );
      expect(seen.filter((s) => !(s.body as { fail?: boolean }).fail)).toMatchObject([
        { body: { hello: 'world' }, dequeueCount: 1 },
      ]);
      const failing = seen.filter((s) => (s.body as { fail?: boolean }).fail);
      expect(failing.map((s) => s.dequeueCount)).toEqual([1, 2, 3]);
      // each retry after the visibility timeout, not sooner, nor after a growing back-off (2 s, 4 s...)
      for (const [previous, next] of [failing.slice(0, 2), failing.slice(1, 3)] as const) {
        const gapMs = (next?.at ?? 0) - (previous?.at ?? 0);
        expect(gapMs).toBeGreaterThanOrEqual(900);
        expect(gapMs).toBeLessThan(3_000);
      }
      expect(JSON.parse(Buffer.from(parked[0]?.messageText ?? '', 'base64').toString())).toEqual({ fail: true });
      // parked copy first, then the original deleted (never lost in between): the queue empties just after
      await waitFor('the parked message to leave its queue', async () =>
        (await queue.getProperties()).approximateMessagesCount === 0 ? true : undefined,
      );
    } finally {
      await runner.stop();
    }
  });
});
