import { setTimeout as sleep } from 'node:timers/promises';
import type { Execution } from '../../src/core/execution.js';
import { isLateOutcome, isRun } from '../../src/core/execution.js';
import { containerGroupName } from '../../src/core/isolation.js';
import type {
  ExecutionChange,
  ExecutionRepository,
  VersionedExecution,
  VersionedRun,
} from '../../src/storage/index.js';

export type ClaimResult =
  | { readonly kind: 'claimed'; readonly run: VersionedRun }
  /** No row: the message points at nothing (forged, or its row was deleted). */
  | { readonly kind: 'missing' }
  /** Already claimed, finished or cancelled: a duplicate delivery, to be dropped. `current`: the row as read. */
  | { readonly kind: 'not-claimable'; readonly status: Execution['status']; readonly current: Execution };

/** Every lost race is followed by a fresh look: the loser sees who won and answers from that. */
const UNTIL_DECIDED = Number.POSITIVE_INFINITY;

/**
 * Moves a run from `accepted` to `running` with a conditional (ETag) update, so of two deliveries of
 * the same job exactly one starts the script.
 */
export async function claimRun(
  executions: ExecutionRepository,
  execId: string,
  worker: { host: string; id: string },
  now: () => Date = () => new Date(),
): Promise<ClaimResult> {
  const { result, written } = await executions.change<ClaimResult | null>(
    execId,
    (current) => {
      if (!current) return { result: { kind: 'missing' } };
      const { execution } = current;
      if (execution.status !== 'accepted')
        return { result: { kind: 'not-claimable', status: execution.status, current: execution } };
      const started = now().toISOString();
      return {
        result: null,
        write: {
          ...execution,
          status: 'running',
          startedAt: started,
          workerHost: worker.host,
          workerId: worker.id,
          // an isolated run's group is named after it: shown as where the run runs from its claim on
          containerGroup: execution.isolation === 'container' ? containerGroupName(execId) : null,
        },
      };
    },
    UNTIL_DECIDED,
  );
  // only an `accepted` run is claimed, so the row written is a run (an unmatched alert is never `accepted`)
  if (written && isRun(written.execution))
    return { kind: 'claimed', run: { ...written, execution: written.execution } };
  return result ?? { kind: 'missing' };
}

/**
 * What a run's row becomes when its outcome arrives: the outcome while it runs; when housekeeping took
 * our silence (an outage) for a death, the real outcome still wins, and says it came late.
 */
function outcomeChange(
  current: VersionedExecution | null,
  run: VersionedExecution,
  final: Execution,
): ExecutionChange<null> {
  if (!current) return { result: null };
  // the row as the worker read it (whatever its status) takes the outcome the worker decided on it
  if (current.etag === run.etag || current.execution.status === 'running') return { write: final, result: null };
  if (!isLateOutcome(current.execution, final)) return { result: null };
  return { write: { ...final, abandonedAt: current.execution.finishedAt }, result: null };
}

/**
 * Records a run's final state. Retried with backoff on storage errors, because a final status that is
 * never written is a run stuck `running` forever.
 */
export async function recordOutcome(
  executions: ExecutionRepository,
  run: VersionedExecution,
  final: Execution,
  attempts = 6,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      // the first try writes on the row as the worker holds it; a retry reads it again
      const known = attempt === 1 ? run : undefined;
      await executions.change(
        run.execution.execId,
        (current) => outcomeChange(current, run, final),
        UNTIL_DECIDED,
        known,
      );
      return;
    } catch (err) {
      if (attempt >= attempts) throw err;
      await sleep(Math.min(4_000, 250 * 2 ** attempt));
    }
  }
}
