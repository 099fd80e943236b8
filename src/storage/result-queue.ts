import type { QueueClient } from '@azure/storage-queue';
import type { Execution } from '../core/execution.js';
import { logTail, ResultMessage } from '../core/result-message.js';
import { encodeMessage, sendCreatingQueue } from './job-queue.js';
import type { LogStore } from './log-store.js';

/** Queue `cloudo-results`: one ResultMessage per run that reached a terminal status. */
export class ResultQueue {
  constructor(
    private readonly queue: QueueClient,
    private readonly logs: LogStore,
  ) {}

  get name(): string {
    return this.queue.name;
  }

  async ensureQueue(): Promise<void> {
    await this.queue.createIfNotExists();
  }

  /**
   * Announces a finished run with the end of its log: `log` when the caller has it in memory (the worker
   * does), else read back from the blob.
   */
  async publish(execution: Execution, log?: Buffer | null): Promise<void> {
    const tail =
      log !== undefined
        ? log
        : execution.logBytes
          ? await this.logs.read(execution.execId, Math.max(0, execution.logBytes - 8192))
          : null;
    const message = ResultMessage.parse({
      v: 1,
      execId: execution.execId,
      status: execution.status,
      finishedAt: execution.finishedAt ?? new Date().toISOString(),
      logTail: logTail(tail),
    });
    await sendCreatingQueue(this.queue, encodeMessage(message));
  }

  /** Puts a result back as its next round of notifying, out of sight for `delayMs`. */
  async retryLater(message: ResultMessage, delayMs: number): Promise<void> {
    const next = ResultMessage.parse({ ...message, round: (message.round ?? 1) + 1 });
    await this.queue.sendMessage(encodeMessage(next), { visibilityTimeout: Math.ceil(delayMs / 1000) });
  }
}
