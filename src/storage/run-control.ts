import type { Execution, ExecutionStatus } from '../core/execution.js';
import { isTerminal } from '../core/execution.js';
import type { ExecutionRepository } from './execution-repository.js';
import { ConcurrentUpdateError } from './execution-repository.js';

export type CancelResult =
  /** It was still queued: it is cancelled now and will never start. */
  | { readonly kind: 'cancelled'; readonly execution: Execution }
  /** It is running: its worker has been asked and kills the process tree. */
  | { readonly kind: 'cancelling'; readonly execution: Execution }
  | { readonly kind: 'finished'; readonly status: ExecutionStatus }
  | { readonly kind: 'missing' };

/**
 * Cancels a run on behalf of `actor`. A queued run is ended at once (the worker's claim then fails); a
 * running one gets a request on its row that its worker watches. Conditional writes throughout: a claim
 * racing the cancel is seen and handled.
 */
export async function cancelRun(
  executions: ExecutionRepository,
  execId: string,
  actor: string,
  now: () => Date = () => new Date(),
): Promise<CancelResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await executions.get(execId);
    if (!current) return { kind: 'missing' };
    const { execution } = current;
    if (isTerminal(execution.status)) return { kind: 'finished', status: execution.status };
    try {
      if (execution.status === 'accepted') {
        const cancelled: Execution = {
          ...execution,
          status: 'cancelled',
          finishedAt: now().toISOString(),
          cancelRequestedBy: actor,
          error: `cancelled by ${actor} before it started`,
        };
        await executions.transition(current, cancelled);
        return { kind: 'cancelled', execution: cancelled };
      }
      if (execution.cancelRequestedBy) return { kind: 'cancelling', execution };
      const requested: Execution = { ...execution, cancelRequestedBy: actor };
      await executions.update(current, requested);
      return { kind: 'cancelling', execution: requested };
    } catch (err) {
      if (!(err instanceof ConcurrentUpdateError)) throw err;
    }
  }
  throw new Error(`execution ${execId} kept changing while it was being cancelled`);
}
