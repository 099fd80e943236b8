import { MAX_APPROVAL_TIMEOUT_MINUTES } from '../core/approval-gate.js';
import { expire, isPastExpiry } from '../core/approval-policy.js';
import type { Execution } from '../core/execution.js';
import type { ExecutionRepository } from '../storage/index.js';
import type { ApprovalServices } from './decide-run.js';
import { announce } from './decide-run.js';

/**
 * How far back pending runs are looked for: the longest approval window plus a margin for a housekeeping
 * timer that was down for a while. Older days are never scanned for them (rows are partitioned by day).
 */
const LOOKBACK_MS = (MAX_APPROVAL_TIMEOUT_MINUTES + 30 * 24 * 60) * 60_000;

/** Every run waiting for approval, newest first (at most `limit`). */
export async function listPendingRuns(
  executions: Pick<ExecutionRepository, 'list'>,
  now: Date,
  limit = 1000,
): Promise<Execution[]> {
  const found: Execution[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await executions.list({
      status: 'pending_approval',
      requestedSince: new Date(now.getTime() - LOOKBACK_MS),
      limit: 200,
      continuationToken,
    });
    found.push(...page.executions);
    continuationToken = page.continuationToken ?? undefined;
  } while (continuationToken && found.length < limit);
  return found.slice(0, limit);
}

/**
 * Housekeeping: gated runs nobody decided on in time end `expired` (conditional write: a decision that
 * lands first stands) and are announced like any run that ended, so the channel hears about it.
 */
export async function expireOverdueRuns(services: ApprovalServices, now: Date = new Date()): Promise<Execution[]> {
  const { executions } = services.storage;
  const expired: Execution[] = [];
  for (const run of await listPendingRuns(executions, now)) {
    if (!isPastExpiry(run, now)) continue;
    const { written } = await executions.change(run.execId, (current) =>
      current && isPastExpiry(current.execution, now)
        ? { write: expire(current.execution, now), result: null }
        : { result: null },
    );
    if (!written) continue;
    await announce(services, written.execution);
    expired.push(written.execution);
  }
  return expired;
}
