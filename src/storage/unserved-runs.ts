import type { Execution } from '../core/execution.js';
import { JobMessage } from '../core/job-message.js';
import type { ResourceNames } from '../core/resource-names.js';
import { endUnserved, isServing } from '../core/run-lifecycle.js';
import type { StorageClients } from './clients.js';
import type { ExecutionRepository } from './execution-repository.js';
import { decodeMessage } from './job-queue.js';
import type { WorkerBeat } from './worker-registry.js';

export interface UnservedRunsOptions {
  readonly clients: StorageClients;
  readonly names: ResourceNames;
  readonly executions: ExecutionRepository;
  /** Every worker as it last reported; a capability with none alive is unserved. */
  readonly workers: readonly WorkerBeat[];
  /** A worker silent longer than this does not count as serving. */
  readonly staleWorkerMs: number;
  /** A run queued longer than this for an unserved capability ends `error`. */
  readonly queuedTimeoutMs: number;
  readonly now?: Date;
}

/** Most messages looked at per queue in one pass: bounded work per housekeeping tick. */
const MAX_ROUNDS = 10;
const PEEK = 32;

/**
 * Ends the runs that wait in the queue of a capability no live worker serves (a schema naming a worker
 * nobody deployed), once they are older than the timeout: `error` naming the capability, and their
 * message removed. Only old messages are received, so a queue a worker will serve again keeps its young
 * messages untouched (their delivery count is what a worker's poison check reads).
 */
export async function endUnservedRuns(options: UnservedRunsOptions): Promise<Execution[]> {
  const now = options.now ?? new Date();
  const served = new Set(
    options.workers
      .filter((w) => isServing(w, options.staleWorkerMs, now))
      .map((w) => options.names.jobQueue(w.capability)),
  );
  const queues = (await options.clients.listQueues(options.names.jobQueuePrefix)).filter(
    (name) => !name.endsWith('-poison') && !served.has(name),
  );
  const ended: Execution[] = [];
  const cutoff = now.getTime() - options.queuedTimeoutMs;
  for (const name of queues) {
    const queue = options.clients.queue(name);
    for (let round = 0; round < MAX_ROUNDS; round++) {
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
        const run = job.success ? await endIfQueued(options.executions, job.data, now) : null;
        if (run) ended.push(run);
        await queue.deleteMessage(message.messageId, message.popReceipt);
      }
      if (peeked.length < PEEK) break;
    }
  }
  return ended;
}

/** `error` for a run still `accepted`, as core's `endUnserved` decides; null when it moved on meanwhile. */
async function endIfQueued(executions: ExecutionRepository, job: JobMessage, now: Date): Promise<Execution | null> {
  const { written } = await executions.change(job.execId, (current) =>
    endUnserved(current?.execution ?? null, job.worker, now),
  );
  return written?.execution ?? null;
}
