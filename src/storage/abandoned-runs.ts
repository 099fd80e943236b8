import type { Execution } from '../core/execution.js';
import type { ExecutionRepository } from './execution-repository.js';
import type { WorkerRegistry } from './worker-registry.js';

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
 * it was last seen. Not re-queued: the process may still be alive somewhere, and a second copy running
 * at the same time is worse than a run a person restarts.
 */
export async function abandonStaleRuns(options: AbandonOptions): Promise<Execution[]> {
  const now = options.now ?? new Date();
  const abandoned: Execution[] = [];
  let continuationToken: string | undefined;
  let seen = 0;
  do {
    const page = await options.executions.list({ status: 'running', limit: 100, continuationToken });
    continuationToken = page.continuationToken ?? undefined;
    for (const run of page.executions) {
      seen++;
      const reason = await staleReason(run, options, now);
      if (!reason) continue;
      const { written } = await options.executions.change(run.execId, (current) =>
        // the worker wrote first (it finished after all): its outcome stands
        current?.execution.status === 'running'
          ? {
              write: { ...current.execution, status: 'abandoned', finishedAt: now.toISOString(), error: reason },
              result: null,
            }
          : { result: null },
      );
      if (written) abandoned.push(written.execution);
    }
  } while (continuationToken && seen < (options.limit ?? 1000));
  return abandoned;
}

async function staleReason(run: Execution, options: AbandonOptions, now: Date): Promise<string | null> {
  const since = (iso: string | null) => (iso ? now.getTime() - Date.parse(iso) : Number.POSITIVE_INFINITY);
  if (!run.workerId) {
    return since(run.startedAt) > options.staleAfterMs ? 'its worker is unknown and it has not finished' : null;
  }
  const beat = await options.workers.get(run.worker, run.workerId);
  if (!beat) {
    return since(run.startedAt) > options.staleAfterMs ? `its worker ${run.workerId} is no longer registered` : null;
  }
  if (since(beat.lastSeen) <= options.staleAfterMs) return null;
  return `its worker ${run.workerId} stopped heartbeating (last seen ${beat.lastSeen})`;
}
