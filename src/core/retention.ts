import { ExecutionStatus, isTerminal } from './execution.js';

const DAY_MS = 86_400_000;

/**
 * The statuses a run is kept in whatever its age: those it may still leave (waiting for approval, queued,
 * running). Only ended runs are purged, with everything they point at.
 */
export const KEPT_STATUSES: readonly ExecutionStatus[] = ExecutionStatus.options.filter((s) => !isTerminal(s));

/**
 * Where a retention of `days` draws the line at `now`: the start of the UTC day `days` ago. Executions and
 * the audit log keep a day per partition, so "older than the line" is one key range; a row therefore goes
 * once the whole day it was written on is past the retention, and is kept `days` to `days + 1` days.
 */
export function retentionCutoffMs(now: Date, days: number): number {
  const then = now.getTime() - days * DAY_MS;
  return then - (then % DAY_MS);
}

/** A worker silent for longer than `deadWorkerMs` is forgotten (its row leaves Table Workers). */
export function isForgotten(lastSeen: string, now: Date, deadWorkerMs: number): boolean {
  return now.getTime() - Date.parse(lastSeen) > deadWorkerMs;
}
