import type { Execution } from '../core/execution.js';
import { markRequeued } from '../core/run-lifecycle.js';
import { jobFor } from '../core/run-plan.js';
import type { ExecutionRepository, JobQueue } from '../storage/index.js';

export interface OrphanRunsOptions {
  readonly executions: ExecutionRepository;
  readonly jobs: Pick<JobQueue, 'enqueue'>;
  /** A run `accepted` for longer than this may have lost its message. */
  readonly orphanAfterMs: number;
  readonly now?: Date;
  /** Most runs looked at in one pass. */
  readonly limit?: number;
}

/** How far back orphans are looked for: a trigger that died longer ago has long been retried or given up. */
const LOOK_BACK_MS = 2 * 24 * 3_600_000;

/**
 * Queues again, once, the job of each run still `accepted` past `orphanAfterMs`. A trigger that died
 * between recording a run and queueing it (host killed, storage lost mid-request) leaves a row nothing
 * would ever move. The row cannot tell such an orphan from a run waiting its turn in a busy queue, so
 * both get one more message: for a waiting run it is a duplicate, harmless because claiming a run is
 * ETag-guarded (the second delivery finds it claimed, or finished and only announces it again).
 * The message is queued before the row records it, so a failure in between queues it once more rather than never.
 */
export async function requeueOrphanRuns(options: OrphanRunsOptions): Promise<Execution[]> {
  const now = (options.now ?? new Date()).getTime();
  const candidates = await options.executions.listAcceptedBetween(
    now - LOOK_BACK_MS,
    now - options.orphanAfterMs,
    options.limit ?? 200,
  );
  const requeued: Execution[] = [];
  for (const run of candidates.filter((r) => r.requeuedAt === null)) {
    await options.jobs.enqueue(jobFor(run));
    const { written } = await options.executions.change(run.execId, (current) =>
      markRequeued(current?.execution ?? null, new Date(now)),
    );
    if (written) requeued.push(written.execution);
  }
  return requeued;
}
