import { approvalCount } from './approval-policy.js';
import type { Execution } from './execution.js';
import type { ApprovalState, ApprovalSummary } from './notification.js';

/**
 * How a gated run's approval reads in its message. Pure: the results flow renders the current row with
 * it, so a message handled late or twice shows the same thing.
 */

/** The approval state of a gated run; null for a run that never waited. */
export function approvalState(execution: Execution): ApprovalState | null {
  const gate = execution.approval;
  if (!gate) return null;
  switch (execution.status) {
    case 'pending_approval':
      return 'pending';
    case 'rejected':
      return 'rejected';
    case 'expired':
      return 'expired';
    case 'cancelled': {
      // cancelled after it was let go is a run that was approved; before, nobody let it go
      const approves = execution.approvals.filter((a) => a.decision === 'approve').length;
      return approves >= gate.minApprovals ? 'approved' : 'cancelled';
    }
    default:
      return 'approved';
  }
}

/**
 * What one rendering of the message stands for: the state and how many decisions it shows. A second
 * approval of two changes the message; the run's later results do not.
 */
export function approvalVersion(execution: Execution): string | null {
  const state = approvalState(execution);
  return state === null ? null : `${state}.${execution.approvals.length}`;
}

/** The summary an approval message shows; null for a run that never waited. */
export function summarizeApproval(execution: Execution): ApprovalSummary | null {
  const gate = execution.approval;
  const state = approvalState(execution);
  if (!gate || !state) return null;
  const approvedBy = execution.approvals.filter((a) => a.decision === 'approve').map((a) => a.by);
  return {
    state,
    requestedBy: gate.requestedBy,
    expiresAt: gate.expiresAt,
    minApprovals: gate.minApprovals,
    approvals: approvalCount(execution),
    decisions: execution.approvals.map(({ by, decision, reason, at }) => ({ by, decision, reason, at })),
    runArgs: execution.runArgs,
    outcome:
      state === 'pending'
        ? null
        : state === 'approved'
          ? `approved by ${approvedBy.join(', ')}`
          : (execution.error ?? state),
  };
}
