import { randomUUID } from 'node:crypto';
import { Poller } from '../core/poller.js';
import type { FunctionDefinition, QueueFunctionDefinition } from '../functions/index.js';
import { InvocationContext } from '../functions/index.js';
import type { ReceivedMessage, StorageClients, WorkerQueue } from '../storage/index.js';
import { consumerQueue } from '../storage/index.js';
import type { HostQueues } from './host-json.js';
import { readHostQueues } from './host-json.js';

/**
 * How long a message stays out of sight while its function runs. The Functions host hides it for 10 min
 * and renews that; without renewals here, long enough for a results delivery's sends, short enough that a
 * killed local host's messages come back soon.
 */
const RUNNING_LEASE_MS = 30_000;

type Log = (functionName: string, level: string, args: unknown[]) => void;

/**
 * Feeds the queue functions of the list from their queues as the Functions host does, with host.json's
 * `extensions.queues` (`queues`, read from host.json unless given): base64 JSON decoded, `dequeueCount`
 * in the trigger metadata, a batch of `batchSize` fetched whenever the messages in hand are down to
 * `newBatchThreshold`, a throw brings the message back after `visibilityTimeout`, and the delivery that
 * reaches `maxDequeueCount` sends it to `<queue>-poison` instead.
 */
export function startQueueFunctions(
  definitions: readonly FunctionDefinition[],
  clients: StorageClients,
  log: Log,
  queues: HostQueues = readHostQueues(),
): { stop(): Promise<void> } {
  const served = definitions
    .filter((d): d is QueueFunctionDefinition => d.kind === 'queue')
    .map((d) => serve(d, consumerQueue(clients, d.queueName), queues, log));
  return {
    async stop() {
      await Promise.all(served.map((s) => s.stop()));
    },
  };
}

function serve(
  definition: QueueFunctionDefinition,
  queue: WorkerQueue,
  queues: HostQueues,
  log: Log,
): { stop(): Promise<void> } {
  const inHand = new Set<Promise<void>>();
  let wake: () => void = () => undefined;
  const poller = new Poller({
    capacity: () => (inHand.size <= queues.newBatchThreshold ? queues.batchSize : 0),
    whenCapacity: () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      }),
    maxIntervalMs: queues.maxPollingIntervalMs,
    poll: async (max) => {
      const messages = await queue.receive(max, RUNNING_LEASE_MS);
      for (const message of messages) {
        const invocation = invoke(definition, queue, message, queues, log).finally(() => {
          inHand.delete(invocation);
          wake();
        });
        inHand.add(invocation);
      }
      return messages.length;
    },
    onError: (err) => log(definition.name, 'error', [err]),
  });
  poller.start();
  return {
    async stop() {
      await poller.stop();
      await Promise.all(inHand);
    },
  };
}

/** One delivery; never rejects: a failure is retried or parked, and logged. */
async function invoke(
  definition: QueueFunctionDefinition,
  queue: WorkerQueue,
  message: ReceivedMessage,
  queues: HostQueues,
  log: Log,
): Promise<void> {
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: definition.name,
    triggerMetadata: { dequeueCount: message.dequeueCount, id: message.messageId },
    logHandler: (level, ...args) => log(definition.name, level, args),
  });
  try {
    // the Functions host hands over text that is not JSON as a string
    const body = message.body !== undefined ? message.body : Buffer.from(message.text, 'base64').toString('utf8');
    await definition.handler(body, context);
    await queue.delete(message);
  } catch (err) {
    log(definition.name, 'warning', [`attempt ${message.dequeueCount} failed: ${(err as Error).message}`]);
    try {
      if (message.dequeueCount >= queues.maxDequeueCount) await queue.forwardToPoison(message);
      else await queue.renew(message, queues.visibilityTimeoutMs);
    } catch (retryErr) {
      // the running lease still runs out: the message comes back then
      log(definition.name, 'error', [retryErr]);
    }
  }
}
