import type { Execution } from '../core/execution.js';
import type { JobMessage } from '../core/job-message.js';
import { endUnserved, isServing } from '../core/run-lifecycle.js';
import type { ExecutionRepository, JobQueue, WorkerBeat } from '../storage/index.js';

export interface UnservedRunsOptions {
  readonly executions: ExecutionRepository;
  readonly jobs: Pick<JobQueue, 'drainOldJobs'>;
  /** Every worker as it last reported; a capability with none alive is unserved. */
  readonly workers: readonly WorkerBeat[];
  /** A worker silent longer than this does not count as serving. */
  readonly staleWorkerMs: number;
  /** A run queued longer than this for an unserved capability ends `error`. */
  readonly queuedTimeoutMs: number;
  readonly now?: Date;
}

/**
 * Ends the runs that wait in the queue of a capability no live worker serves (a schema naming a worker
 * nobody deployed), once they are older than the timeout: `error` naming the capability, and their
 * message removed. A queue a worker will serve again keeps its young messages untouched.
 */
export async function endUnservedRuns(options: UnservedRunsOptions): Promise<Execution[]> {
  const now = options.now ?? new Date();
  const ended: Execution[] = [];
  await options.jobs.drainOldJobs({
    keepWorkers: options.workers.filter((w) => isServing(w, options.staleWorkerMs, now)).map((w) => w.capability),
    insertedBefore: new Date(now.getTime() - options.queuedTimeoutMs),
    onJob: async (job) => {
      const run = await endIfQueued(options.executions, job, now);
      if (run) ended.push(run);
    },
  });
  return ended;
}

/** `error` for a run still `accepted`, as core's `endUnserved` decides; null when it moved on meanwhile. */
async function endIfQueued(executions: ExecutionRepository, job: JobMessage, now: Date): Promise<Execution | null> {
  const { written } = await executions.change(job.execId, (current) =>
    endUnserved(current?.execution ?? null, job.worker, now),
  );
  return written?.execution ?? null;
}
