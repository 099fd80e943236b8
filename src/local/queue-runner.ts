import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FunctionDefinition, QueueFunctionDefinition } from '../functions/index.js';
import { InvocationContext } from '../functions/index.js';
import type { StorageClients } from '../storage/index.js';

/** Longest wait between two polls of an empty queue: host.json `maxPollingInterval`, 250 ms. */
const MAX_IDLE_MS = 250;

/**
 * Feeds the queue functions of the list from their queues as the Functions host does: base64 JSON
 * decoded, `dequeueCount` in the trigger metadata, a throw brings the message back after a growing
 * delay, and after `maxDequeueCount` deliveries it goes to `<queue>-poison`.
 */
export function startQueueFunctions(
  definitions: readonly FunctionDefinition[],
  clients: StorageClients,
  log: (functionName: string, level: string, args: unknown[]) => void,
): { stop(): Promise<void> } {
  const abort = new AbortController();
  const loops = definitions
    .filter((d): d is QueueFunctionDefinition => d.kind === 'queue')
    .map((d) => serve(d, clients, log, abort.signal));
  return {
    async stop() {
      abort.abort();
      await Promise.all(loops);
    },
  };
}

async function serve(
  definition: QueueFunctionDefinition,
  clients: StorageClients,
  log: (functionName: string, level: string, args: unknown[]) => void,
  signal: AbortSignal,
): Promise<void> {
  const queue = clients.queue(definition.queueName);
  const poison = clients.queue(`${definition.queueName}-poison`);
  await queue.createIfNotExists().catch(() => undefined);
  let idleMs = 50;
  while (!signal.aborted) {
    let received = 0;
    try {
      const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 16, visibilityTimeout: 30 });
      received = receivedMessageItems.length;
      await Promise.all(
        receivedMessageItems.map(async (item) => {
          const context = new InvocationContext({
            invocationId: randomUUID(),
            functionName: definition.name,
            triggerMetadata: { dequeueCount: item.dequeueCount, id: item.messageId },
            logHandler: (level, ...args) => log(definition.name, level, args),
          });
          try {
            await definition.handler(decode(item.messageText), context);
            await queue.deleteMessage(item.messageId, item.popReceipt);
          } catch (err) {
            log(definition.name, 'warning', [`attempt ${item.dequeueCount} failed: ${(err as Error).message}`]);
            if (item.dequeueCount >= definition.maxDequeueCount) {
              await poison.createIfNotExists();
              await poison.sendMessage(item.messageText);
              await queue.deleteMessage(item.messageId, item.popReceipt);
            } else {
              // comes back later, sooner on early attempts: 2 s, 4 s, 8 s...
              const delaySeconds = Math.min(60, 2 ** item.dequeueCount);
              await queue.updateMessage(item.messageId, item.popReceipt, undefined, delaySeconds);
            }
          }
        }),
      );
    } catch (err) {
      if (!signal.aborted) log(definition.name, 'error', [err]);
    }
    idleMs = received > 0 ? 50 : Math.min(MAX_IDLE_MS, idleMs * 2);
    if (received === 0) await sleep(idleMs, undefined, { signal }).catch(() => undefined);
  }
}

function decode(text: string): unknown {
  const raw = Buffer.from(text, 'base64').toString('utf8');
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
