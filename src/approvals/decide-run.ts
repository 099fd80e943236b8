import type { Caller } from '../core/access.js';
import type { DecisionRequest } from '../core/approval-gate.js';
import { decide } from '../core/approval-policy.js';
import type { Execution, Run } from '../core/execution.js';
import type { WakeWorkers } from '../runs/index.js';
import { RunDispatcher } from '../runs/index.js';
import type { Storage } from '../storage/index.js';

export type DecisionOutcome =
  | { readonly kind: 'missing' }
  | { readonly kind: 'refused'; readonly status: 400 | 403 | 409; readonly error: string }
  /** The window had closed: the run is `expired` now, and the decision did nothing. */
  | { readonly kind: 'expired'; readonly execution: Run }
  /** `approved`: the run is queued; `recorded`: it waits for more approvals; `rejected`: it is over. */
  | { readonly kind: 'approved' | 'recorded' | 'rejected'; readonly execution: Run };

export interface ApprovalServices {
  readonly storage: Pick<Storage, 'executions' | 'jobs' | 'results'>;
  /** Nudges a worker once an approved run is queued (default: none, the run waits for a poll). */
  readonly wake?: WakeWorkers;
  /** Where a failed announcement is reported: the decision itself is already stored. */
  readonly onError: (message: string, err: unknown) => void;
}

/**
 * Records one person's decision on a gated run with a conditional write: of two racing decisions one
 * wins, and the other is decided again against the winner's state (a second approval of a run already
 * accepted is refused with its status). An approval that completes the quorum queues the run; every
 * change is announced on the results queue, so the Slack message and on-call hear of it.
 */
export async function decideRun(
  services: ApprovalServices,
  execId: string,
  caller: Caller,
  request: DecisionRequest,
  now: Date = new Date(),
): Promise<DecisionOutcome> {
  const { storage } = services;
  const { result, written } = await storage.executions.change<DecisionOutcome>(execId, (current) => {
    if (!current) return { result: { kind: 'missing' } };
    const verdict = decide(current.execution, caller, request, now);
    if (verdict.kind === 'refused') return { result: verdict };
    return { write: verdict.next, result: { kind: verdict.kind, execution: verdict.next } };
  });
  if (!written) return result;
  if (result.kind === 'approved')
    await new RunDispatcher(storage, services.wake).release({ execution: result.execution, etag: written.etag });
  await announce(services, written.execution);
  return result;
}

/** Puts the run's new state on the results queue; a failure is reported, the state itself is stored. */
export async function announce(services: ApprovalServices, execution: Execution): Promise<void> {
  try {
    await services.storage.results.publish(execution);
  } catch (err) {
    services.onError(`could not announce ${execution.status} of run ${execution.execId}`, err);
  }
}
