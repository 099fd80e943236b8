import type { QueueClient } from '@azure/storage-queue';
import { JobMessage } from '../core/job-message.js';
import type { ResourceNames } from '../core/resource-names.js';
import type { StorageClients } from './clients.js';
import { statusOf } from './clients.js';

/**
 * Message text is base64 of UTF-8 JSON: the encoding the Functions queue trigger expects by default, so
 * the same queues can feed a Functions trigger and our workers alike.
 */
export function encodeMessage(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

/** Returns the decoded JSON, or undefined if the text is not base64 JSON. */
export function decodeMessage(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A message as a worker receives it: the body is unparsed, every consumer validates it. */
export interface ReceivedMessage {
  readonly messageId: string;
  /** Changes on every update; keep the newest or the next renewal or delete fails. */
  popReceipt: string;
  readonly dequeueCount: number;
  readonly body: unknown;
  readonly text: string;
}

/** One worker capability's queue, from the consumer's side. */
export class WorkerQueue {
  constructor(
    private readonly queue: QueueClient,
    private readonly poison: QueueClient,
  ) {}

  get name(): string {
    return this.queue.name;
  }

  async ensureQueues(): Promise<void> {
    await Promise.all([this.queue.createIfNotExists(), this.poison.createIfNotExists()]);
  }

  async receive(max: number, visibilityTimeoutMs: number): Promise<ReceivedMessage[]> {
    const options = {
      numberOfMessages: Math.min(32, Math.max(1, max)),
      visibilityTimeout: Math.ceil(visibilityTimeoutMs / 1000),
    };
    const result = await this.queue.receiveMessages(options).catch(async (err: unknown) => {
      // a worker may start before anything was queued for its capability: make the queue and wait
      if (statusOf(err) !== 404) throw err;
      await this.queue.createIfNotExists();
      return this.queue.receiveMessages(options);
    });
    return result.receivedMessageItems.map((item) => ({
      messageId: item.messageId,
      popReceipt: item.popReceipt,
      dequeueCount: item.dequeueCount,
      text: item.messageText,
      body: decodeMessage(item.messageText),
    }));
  }

  /** Extends the message's invisibility; updates `message.popReceipt` in place. */
  async renew(message: ReceivedMessage, visibilityTimeoutMs: number): Promise<void> {
    const result = await this.queue.updateMessage(
      message.messageId,
      message.popReceipt,
      undefined,
      Math.ceil(visibilityTimeoutMs / 1000),
    );
    if (result.popReceipt) message.popReceipt = result.popReceipt;
  }

  async delete(message: ReceivedMessage): Promise<void> {
    try {
      await this.queue.deleteMessage(message.messageId, message.popReceipt);
    } catch (err) {
      // already gone (deleted by a duplicate's handler or expired): the goal is reached
      if (statusOf(err) !== 404) throw err;
    }
  }

  /**
   * Puts the message back to be seen again in `delayMs`, as a fresh copy: a run waiting its turn must not
   * count its waits as failed deliveries towards the poison limit.
   */
  async defer(message: ReceivedMessage, delayMs: number): Promise<void> {
    await this.queue.sendMessage(message.text, { visibilityTimeout: Math.max(1, Math.ceil(delayMs / 1000)) });
    await this.delete(message);
  }

  /** Parks a message that can never be processed, with the reason, then removes it from the work queue. */
  async moveToPoison(message: ReceivedMessage, reason: string): Promise<void> {
    const text = encodeMessage({
      reason,
      messageId: message.messageId,
      dequeueCount: message.dequeueCount,
      text: message.text,
    });
    await sendCreatingQueue(this.poison, text);
    await this.delete(message);
  }

  /**
   * Parks a message as the Functions host parks one that failed its last delivery: its text unchanged,
   * so whatever reads `<queue>-poison` can replay it.
   */
  async forwardToPoison(message: ReceivedMessage): Promise<void> {
    await sendCreatingQueue(this.poison, message.text);
    await this.delete(message);
  }
}

/** The consumer side of any queue and its `<queue>-poison`, the Functions host's naming (queue functions). */
export function consumerQueue(clients: StorageClients, queueName: string): WorkerQueue {
  return new WorkerQueue(clients.queue(queueName), clients.queue(`${queueName}-poison`));
}

/** Producer side: puts JobMessages on `cloudo-jobs-<worker>`. */
export class JobQueue {
  constructor(
    private readonly clients: StorageClients,
    private readonly names: ResourceNames,
  ) {}

  forWorker(worker: string): WorkerQueue {
    return new WorkerQueue(
      this.clients.queue(this.names.jobQueue(worker)),
      this.clients.queue(this.names.poisonQueue(worker)),
    );
  }

  async enqueue(job: JobMessage): Promise<void> {
    const queue = this.clients.queue(this.names.jobQueue(job.worker));
    await sendCreatingQueue(queue, encodeMessage(JobMessage.parse(job)));
  }

  /**
   * Removes the messages queued before `insertedBefore` from every job queue but those of `keepWorkers`,
   * handing each valid JobMessage to `onJob` first (a malformed one is just removed). Only old messages
   * are received, so young ones keep their delivery count (what a worker's poison check reads); bounded
   * work per call (`MAX_DRAIN_ROUNDS` of `PEEK` messages per queue). A failing `onJob` leaves its message.
   */
  async drainOldJobs(options: DrainOptions): Promise<void> {
    const kept = new Set(options.keepWorkers.map((worker) => this.names.jobQueue(worker)));
    const queues = (await this.clients.listQueues(this.names.jobQueuePrefix)).filter(
      (name) => !name.endsWith('-poison') && !kept.has(name),
    );
    const cutoff = options.insertedBefore.getTime();
    for (const name of queues) {
      const queue = this.clients.queue(name);
      for (let round = 0; round < MAX_DRAIN_ROUNDS; round++) {
        const peeked = (await queue.peekMessages({ numberOfMessages: PEEK })).peekedMessageItems;
        const old = peeked.filter((m) => m.insertedOn.getTime() < cutoff).length;
        if (old === 0) break;
        const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: old, visibilityTimeout: 30 });
        for (const message of receivedMessageItems) {
          if (message.insertedOn.getTime() >= cutoff) {
            await queue.updateMessage(message.messageId, message.popReceipt, undefined, 0);
            continue;
          }
          const job = JobMessage.safeParse(decodeMessage(message.messageText));
          if (job.success) await options.onJob(job.data);
          await queue.deleteMessage(message.messageId, message.popReceipt);
        }
        if (peeked.length < PEEK) break;
      }
    }
  }
}

export interface DrainOptions {
  /** The capabilities whose queues are left alone. */
  readonly keepWorkers: readonly string[];
  /** Messages queued at or after this stay. */
  readonly insertedBefore: Date;
  /** Called with each old, valid job before its message is deleted. */
  readonly onJob: (job: JobMessage) => Promise<void>;
}

/** Most messages looked at per queue in one drain: bounded work per housekeeping tick. */
const MAX_DRAIN_ROUNDS = 10;
const PEEK = 32;

/** Sends, creating the queue on first use: a capability that appeared with a new schema has none yet. */
export async function sendCreatingQueue(queue: QueueClient, text: string): Promise<void> {
  try {
    await queue.sendMessage(text);
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
    await queue.createIfNotExists();
    await queue.sendMessage(text);
  }
}
