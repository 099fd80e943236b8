import type { Execution, ExecutionStatus } from '../core/execution.js';
import { isTerminal } from '../core/execution.js';
import type { ExecutionRepository } from './execution-repository.js';

export type CancelResult =
  /** It was still queued or waiting for approval: it is cancelled now and will never start. */
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
  const { result } = await executions.change<CancelResult>(execId, (current) => {
    if (!current) return { result: { kind: 'missing' } };
    const { execution } = current;
    if (isTerminal(execution.status)) return { result: { kind: 'finished', status: execution.status } };
    if (execution.status === 'accepted' || execution.status === 'pending_approval') {
      const cancelled: Execution = {
        ...execution,
        status: 'cancelled',
        finishedAt: now().toISOString(),
        cancelRequestedBy: actor,
        error: `cancelled by ${actor} before it started`,
      };
      return { write: cancelled, result: { kind: 'cancelled', execution: cancelled } };
    }
    if (execution.cancelRequestedBy) return { result: { kind: 'cancelling', execution } };
    const requested: Execution = { ...execution, cancelRequestedBy: actor };
    return { write: requested, result: { kind: 'cancelling', execution: requested } };
  });
  return result;
}
