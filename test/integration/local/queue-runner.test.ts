import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueFunctionDefinition } from '../../../src/functions/index.js';
import { startQueueFunctions } from '../../../src/local/queue-runner.js';
import { encodeMessage } from '../../../src/storage/job-queue.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';

/** The local host feeds queue functions as the Functions host does: decoded JSON, retries, then poison. */
describe('local queue functions', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage();
  });
  afterAll(() => t.cleanup());

  it('delivers decoded JSON with its dequeue count, retries a throw, and parks it after the last attempt', async () => {
    const queueName = `${t.settings.namespace}-local-fn`;
    const seen: { body: unknown; dequeueCount: unknown }[] = [];
    const definition: QueueFunctionDefinition = {
      kind: 'queue',
      name: 'Probe',
      queueName,
      maxDequeueCount: 2,
      handler: async (message, context) => {
        seen.push({ body: message, dequeueCount: context.triggerMetadata?.dequeueCount });
        if ((message as { fail?: boolean }).fail) throw new Error('not today');
      },
    };
    const runner = startQueueFunctions([definition], t.storage.clients, () => undefined);
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
      expect(seen).toContainEqual({ body: { hello: 'world' }, dequeueCount: 1 });
      expect(seen.filter((s) => (s.body as { fail?: boolean }).fail).map((s) => s.dequeueCount)).toEqual([1, 2]);
      expect(JSON.parse(Buffer.from(parked[0]?.messageText ?? '', 'base64').toString())).toEqual({ fail: true });
      expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
    } finally {
      await runner.stop();
    }
  });
});
