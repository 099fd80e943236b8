import type { Execution } from '../../src/core/execution.js';
import type { ResultQueue } from '../../src/storage/index.js';

/**
 * Puts a finished run's result on the results queue, with a few quick retries. Throws when it cannot: the
 * job message then stays, comes back after its visibility timeout, and that delivery announces the run
 * again (on-call's ledger drops what it already sent).
 */
export async function announceResult(
  results: Pick<ResultQueue, 'publish'>,
  run: Execution,
  logTail?: Buffer | null,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await results.publish(run, logTail);
      return;
    } catch (err) {
      if (attempt === 3) throw new Error(`could not announce the result of ${run.execId}`, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
