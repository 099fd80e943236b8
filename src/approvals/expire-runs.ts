import { expire, isPastExpiry } from '../core/approval-policy.js';
import type { Execution } from '../core/execution.js';
import { isRun } from '../core/execution.js';
import type { ApprovalServices } from './decide-run.js';
import { announce } from './decide-run.js';

/**
 * Housekeeping: gated runs nobody decided on in time end `expired` (conditional write: a decision that
 * lands first stands) and are announced like any run that ended, so the channel hears about it.
 */
export async function expireOverdueRuns(services: ApprovalServices, now: Date = new Date()): Promise<Execution[]> {
  const { executions } = services.storage;
  const expired: Execution[] = [];
  for (const run of await executions.listPending()) {
    if (!isPastExpiry(run, now)) continue;
    const { written } = await executions.change(run.execId, (current) =>
      current && isRun(current.execution) && isPastExpiry(current.execution, now)
        ? { write: expire(current.execution, now), result: null }
        : { result: null },
    );
    if (!written) continue;
    await announce(services, written.execution);
    expired.push(written.execution);
  }
  return expired;
}
