import type { Run, RunTrigger } from '../../src/core/execution.js';
import { planRun } from '../../src/core/run-plan.js';
import type { RunbookSchema } from '../../src/core/runbook-schema.js';
import type { Storage } from '../../src/storage/index.js';
import { decodeMessage } from '../../src/storage/job-queue.js';

export interface FinishedRunOptions {
  readonly schema: RunbookSchema;
  readonly trigger: RunTrigger;
  /** The run's resource, so that consecutive runs of one test do not recover each other's pages. */
  readonly resourceId: string;
  /** What the runbook printed; none by default. */
  readonly log?: string;
}

/**
 * A run as a worker leaves it (recorded, its log written, its ResultMessage published), with the message
 * taken off the results queue and returned, for a test to hand to the Results function as it likes.
 */
export async function finishedRunMessage(
  storage: Storage,
  status: Run['status'],
  options: FinishedRunOptions,
): Promise<unknown> {
  const plan = planRun(options.schema, options.trigger);
  const execution: Run = {
    ...plan.execution,
    status,
    startedAt: plan.execution.requestedAt,
    finishedAt: new Date().toISOString(),
    exitCode: status === 'failed' ? 3 : 0,
    error: status === 'failed' ? 'exited with code 3: disk full' : null,
    resourceId: options.resourceId,
    monitorCondition: null,
  };
  const log = Buffer.from(options.log ?? '');
  await storage.executions.create(execution);
  await storage.logs.put(execution.execId, log);
  await storage.results.publish({ ...execution, logBytes: log.length });
  const queue = storage.clients.queue(storage.names.resultsQueue);
  const [item] = (await queue.receiveMessages({ numberOfMessages: 1 })).receivedMessageItems;
  if (!item) throw new Error('no result published');
  await queue.deleteMessage(item.messageId, item.popReceipt);
  return decodeMessage(item.messageText);
}
