import { addRerun } from '../core/run-lifecycle.js';
import type { ExecutionRepository } from '../storage/index.js';

/**
 * Lists `rerunId` on the run it repeats (`reruns`). A conditional write, retried on a race with the
 * original's own updates; the re-run's `rerun_of` holds the link should this fail.
 */
export async function linkRerun(executions: ExecutionRepository, originalId: string, rerunId: string): Promise<void> {
  await executions.change(originalId, (current) => addRerun(current?.execution ?? null, rerunId));
}
