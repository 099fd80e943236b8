import type { Execution } from '../core/execution.js';
import { isRun } from '../core/execution.js';
import { abandon, staleReason } from '../core/run-lifecycle.js';
import type { ExecutionRepository, WorkerRegistry } from '../storage/index.js';

export interface AbandonOptions {
  readonly executions: ExecutionRepository;
  readonly workers: Pick<WorkerRegistry, 'get'>;
  /** A worker whose last heartbeat is older than this is gone. */
  readonly staleAfterMs: number;
  readonly now?: Date;
  /** Most running runs looked at in one pass. */
  readonly limit?: number;
}

/**
 * Ends the runs whose worker stopped heartbeating (killed, its machine gone) as `abandoned`, with when
 * it was last seen: which runs, and what they become, is core's `staleReason` and `abandon`.
 */
export async function abandonStaleRuns(options: AbandonOptions): Promise<Execution[]> {
  const now = options.now ?? new Date();
  const abandoned: Execution[] = [];
  let continuationToken: string | undefined;
  let seen = 0;
  do {
    const page = await options.executions.list({ status: 'running', limit: 100, continuationToken });
    continuationToken = page.continuationToken ?? undefined;
    // every row listed is `running`: a run, never an unmatched alert
    for (const run of page.executions.filter(isRun)) {
      seen++;
      const beat = run.workerId ? await options.workers.get(run.worker, run.workerId) : null;
      const reason = staleReason(run, beat, options.staleAfterMs, now);
      if (!reason) continue;
      const { written } = await options.executions.change(run.execId, (current) =>
        abandon(current?.execution ?? null, reason, now),
      );
      if (written) abandoned.push(written.execution);
    }
  } while (continuationToken && seen < (options.limit ?? 1000));
  return abandoned;
}
