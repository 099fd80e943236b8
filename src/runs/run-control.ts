import type { CancelResult } from '../core/run-lifecycle.js';
import { cancel } from '../core/run-lifecycle.js';
import type { ExecutionRepository } from '../storage/index.js';

/**
 * Cancels a run on behalf of `actor`, as `cancel` (core) decides. A conditional write: a claim racing the
 * cancel is seen, and the decision made again on the row the claim wrote.
 */
export async function cancelRun(
  executions: ExecutionRepository,
  execId: string,
  actor: string,
  now: () => Date = () => new Date(),
): Promise<CancelResult> {
  const { result } = await executions.change(execId, (current) => cancel(current?.execution ?? null, actor, now()));
  return result;
}
