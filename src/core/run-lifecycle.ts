import type { Execution, ExecutionStatus, Run } from './execution.js';
import { isTerminal } from './execution.js';

/**
 * What a run becomes when someone cancels it, when its worker goes silent, when no worker serves its
 * queue, when its message may be lost and when it cannot be dispatched: decided here and nowhere else.
 * Pure: src/runs reads the run, asks one of these, and writes the answer with one conditional update
 * (`ExecutionRepository.change`), asking again on the fresh row when someone wrote first.
 */

/** One decision on a run: the row to write (when anything changes) and what to answer. */
export type RunChange<T> =
  | { readonly write: Execution; readonly result: T }
  | { readonly result: T; readonly write?: undefined };

export type CancelResult =
  /** It was still queued or waiting for approval: it is cancelled now and will never start. */
  | { readonly kind: 'cancelled'; readonly execution: Execution }
  /** It is running: its worker has been asked and kills the process tree. */
  | { readonly kind: 'cancelling'; readonly execution: Execution }
  | { readonly kind: 'finished'; readonly status: ExecutionStatus }
  | { readonly kind: 'missing' };

/**
 * `actor` cancels a run: a queued (or waiting) run ends at once, so a worker's claim then fails; a
 * running one gets a request on its row that its worker watches.
 */
export function cancel(current: Execution | null, actor: string, now: Date): RunChange<CancelResult> {
  if (!current) return { result: { kind: 'missing' } };
  if (isTerminal(current.status)) return { result: { kind: 'finished', status: current.status } };
  if (current.status === 'accepted' || current.status === 'pending_approval') {
    const cancelled: Execution = {
      ...current,
      status: 'cancelled',
      finishedAt: now.toISOString(),
      cancelRequestedBy: actor,
      error: `cancelled by ${actor} before it started`,
    };
    return { write: cancelled, result: { kind: 'cancelled', execution: cancelled } };
  }
  if (current.cancelRequestedBy) return { result: { kind: 'cancelling', execution: current } };
  const requested: Execution = { ...current, cancelRequestedBy: actor };
  return { write: requested, result: { kind: 'cancelling', execution: requested } };
}

/**
 * Why a running run's worker counts as gone (killed, its machine gone), or null while it may still be
 * alive. `beat`: its worker's last heartbeat, null when it is not registered.
 */
export function staleReason(
  run: Execution,
  beat: { readonly lastSeen: string } | null,
  staleAfterMs: number,
  now: Date,
): string | null {
  const since = (iso: string | null) => (iso ? now.getTime() - Date.parse(iso) : Number.POSITIVE_INFINITY);
  if (!run.workerId) {
    return since(run.startedAt) > staleAfterMs ? 'its worker is unknown and it has not finished' : null;
  }
  if (!beat) {
    return since(run.startedAt) > staleAfterMs ? `its worker ${run.workerId} is no longer registered` : null;
  }
  if (since(beat.lastSeen) <= staleAfterMs) return null;
  return `its worker ${run.workerId} stopped heartbeating (last seen ${beat.lastSeen})`;
}

/**
 * A run whose worker is gone ends `abandoned`, not re-queued: the process may still be alive somewhere,
 * and a second copy running at the same time is worse than a run a person restarts. A run that is no
 * longer running was finished by its worker after all: that outcome stands.
 */
export function abandon(current: Execution | null, reason: string, now: Date): RunChange<null> {
  if (current?.status !== 'running') return { result: null };
  return { write: { ...current, status: 'abandoned', finishedAt: now.toISOString(), error: reason }, result: null };
}

/** Whether a worker that last reported at `lastSeen` still counts as serving its capability. */
export function isServing(beat: { readonly lastSeen: string }, staleWorkerMs: number, now: Date): boolean {
  return now.getTime() - Date.parse(beat.lastSeen) <= staleWorkerMs;
}

/**
 * A run queued for a capability no live worker serves ends `error` naming it; one that moved on meanwhile
 * (a worker came, a cancel) is left as it is.
 */
export function endUnserved(current: Execution | null, capability: string, now: Date): RunChange<null> {
  if (current?.status !== 'accepted') return { result: null };
  const waited = Math.round((now.getTime() - Date.parse(current.requestedAt)) / 60_000);
  return {
    result: null,
    write: {
      ...current,
      status: 'error',
      finishedAt: now.toISOString(),
      error: `no worker served capability ${capability}: queued ${waited} min without a live worker of it`,
    },
  };
}

/** A run still `accepted` that may have lost its message is queued again once, and the row says when. */
export function markRequeued(current: Execution | null, now: Date): RunChange<null> {
  if (current?.status !== 'accepted' || current.requeuedAt !== null) return { result: null };
  return { write: { ...current, requeuedAt: now.toISOString() }, result: null };
}

/** A run that could not be recorded whole or queued ends `error` with the reason, not `accepted` for ever. */
export function failDispatch(execution: Run, error: string, now: Date): Run {
  return { ...execution, status: 'error', finishedAt: now.toISOString(), error };
}

/** Most re-runs a run lists: the newest are kept, as the ones people look for. */
const MAX_RERUNS_LISTED = 100;

/** The original of a re-run learns of it, once, whatever status it has. */
export function addRerun(current: Execution | null, rerunId: string): RunChange<boolean> {
  if (!current || current.status === 'unmatched' || current.reruns.includes(rerunId)) return { result: false };
  return { write: { ...current, reruns: [...current.reruns, rerunId].slice(-MAX_RERUNS_LISTED) }, result: true };
}
