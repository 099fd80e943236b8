import type { Run } from '../../src/core/execution.js';
import type { RunbookOutcome } from './executor.js';

/** Why a run was aborted: its worker is shutting down, or someone cancelled it. */
export const SHUTDOWN = 'shutdown';
export interface CancelReason {
  readonly cancelledBy: string;
}

function cancelledBy(reason: unknown): string | null {
  return typeof reason === 'object' && reason !== null && 'cancelledBy' in reason ? String(reason.cancelledBy) : null;
}

/**
 * A run stopped before its runbook started (while its worker prepared it: its Azure token, its AKS
 * credentials): cancelled by whoever asked, or ended because its worker is shutting down.
 */
export function stoppedBeforeStart(reason: unknown): Partial<Run> {
  const by = cancelledBy(reason);
  if (by !== null) return { status: 'cancelled', cancelRequestedBy: by, error: `cancelled by ${by}` };
  return { status: 'error', error: 'the worker shut down before the runbook started' };
}

/** Maps how the process ended to the run's status and the facts worth keeping. */
export function outcomeFields(outcome: RunbookOutcome, timeoutMs: number): Partial<Run> {
  const base = { exitCode: outcome.exitCode, signal: outcome.signal };
  if (outcome.aborted) {
    const by = cancelledBy(outcome.abortReason);
    if (by !== null) return { ...base, status: 'cancelled', cancelRequestedBy: by, error: `cancelled by ${by}` };
    return { ...base, status: 'error', error: 'the worker shut down before the runbook finished; it was killed' };
  }
  if (outcome.timedOut) {
    return { ...base, status: 'timed_out', error: `exceeded its timeout of ${Math.round(timeoutMs / 1000)} s` };
  }
  if (outcome.exitCode === 0) return { ...base, status: 'succeeded', error: null };
  const how = outcome.exitCode !== null ? `exited with code ${outcome.exitCode}` : `was killed by ${outcome.signal}`;
  return { ...base, status: 'failed', error: outcome.stderrTail ? `${how}: ${outcome.stderrTail}` : how };
}
