import { setTimeout as sleep } from 'node:timers/promises';
import type { Execution } from '../src/core/execution.js';
import { isLateOutcome } from '../src/core/execution.js';
import type { ExecutionRepository, VersionedExecution } from '../src/storage/index.js';
import { ConcurrentUpdateError } from '../src/storage/index.js';

export type ClaimResult =
  | { readonly kind: 'claimed'; readonly run: VersionedExecution }
  /** No row: the message points at nothing (forged, or its row was deleted). */
  | { readonly kind: 'missing' }
  /** Already claimed, finished or cancelled: a duplicate delivery, to be dropped. */
  | { readonly kind: 'not-claimable'; readonly status: Execution['status'] };

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
  for (;;) {
    const current = await executions.get(execId);
    if (!current) return { kind: 'missing' };
    if (current.execution.status !== 'accepted') return { kind: 'not-claimable', status: current.execution.status };
    const next: Execution = {
      ...current.execution,
      status: 'running',
      startedAt: now().toISOString(),
      workerHost: worker.host,
      workerId: worker.id,
    };
    try {
      const etag = await executions.transition(current, next);
      return { kind: 'claimed', run: { execution: next, etag } };
    } catch (err) {
      // lost the race: read again and see who won
      if (!(err instanceof ConcurrentUpdateError)) throw err;
    }
  }
}

/**
 * Records a run's final state. Retried with backoff, because a final status that is never written is a
 * run stuck `running` forever.
 */
export async function recordOutcome(
  executions: ExecutionRepository,
  run: VersionedExecution,
  final: Execution,
  attempts = 6,
): Promise<void> {
  let current = run;
  let outcome = final;
  for (let attempt = 1; ; attempt++) {
    try {
      await executions.transition(current, outcome);
      return;
    } catch (err) {
      if (err instanceof ConcurrentUpdateError) {
        const fresh = await executions.get(run.execution.execId);
        if (!fresh) return;
        if (fresh.execution.status === 'running') {
          current = fresh;
          continue;
        }
        // housekeeping took our silence (an outage) for a death: the real outcome wins, and says it came late
        if (!isLateOutcome(fresh.execution, outcome)) return;
        current = fresh;
        outcome = { ...outcome, abandonedAt: fresh.execution.finishedAt };
      } else if (attempt >= attempts) {
        throw err;
      } else {
        await sleep(Math.min(4_000, 250 * 2 ** attempt));
      }
    }
  }
}
