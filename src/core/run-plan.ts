import type { Execution, RunTrigger } from './execution.js';
import { newExecId } from './execution.js';
import type { JobMessage } from './job-message.js';
import type { RunbookSchema } from './runbook-schema.js';

export interface RunPlan {
  readonly execution: Execution;
  readonly job: JobMessage;
}

/** Builds the Execution row and JobMessage of a new run. Pure: time and id come in as arguments. */
export function planRun(
  schema: RunbookSchema,
  trigger: RunTrigger,
  now: Date = new Date(),
  execId: string = newExecId(now.getTime()),
): RunPlan {
  const requestedAt = now.toISOString();
  return {
    execution: {
      execId,
      schemaId: schema.id,
      schemaPartition: schema.partitionKey,
      schemaName: schema.name,
      runbook: schema.runbook,
      worker: schema.worker,
      runArgs: schema.runArgs,
      oncall: schema.oncall,
      timeoutMs: schema.timeoutSeconds * 1000,
      trigger,
      status: 'accepted',
      requestedAt,
      startedAt: null,
      finishedAt: null,
      exitCode: null,
      signal: null,
      error: null,
      logBytes: null,
      workerHost: null,
    },
    job: { v: 1, execId, schemaId: schema.id, worker: schema.worker, enqueuedAt: requestedAt },
  };
}
