import type { Caller } from './access.js';
import { hasRole } from './access.js';
import type { ApprovalDecision, ApprovalDecisionKind, ApprovalGate, DecisionRequest } from './approval-gate.js';
import type { Execution, Run } from './execution.js';
import { isRun } from './execution.js';

/**
 * Approvals: who may let a gated run go, decided here and nowhere else. Pure: the decision service
 * (`src/approvals/`) reads the run, asks `decide`, and writes the answer with one conditional update.
 */

/** The gate of a new run of a schema with `require_approval`, opened at `now`. */
export function openGate(
  policy: {
    readonly approvers: readonly string[];
    readonly minApprovals: number;
    readonly allowSelfApproval: boolean;
    readonly rejectReasonRequired: boolean;
    readonly approvalTimeoutMinutes: number;
  },
  requestedBy: string | null,
  now: Date,
): ApprovalGate {
  return {
    approvers: [...policy.approvers],
    minApprovals: policy.minApprovals,
    allowSelfApproval: policy.allowSelfApproval,
    rejectReasonRequired: policy.rejectReasonRequired,
    requestedBy,
    expiresAt: new Date(now.getTime() + policy.approvalTimeoutMinutes * 60_000).toISOString(),
  };
}

/** The principal an alert-triggered run is requested by: the alert rule, never a person. */
export function alertRequester(alertRule: string | null): string {
  return `alert:${(alertRule ?? '(unnamed)').toLowerCase()}`.slice(0, 300);
}

/** Who requests a schedule's run, as approval requests name it: the schedule (no person can be it). */
export function scheduleRequester(scheduleId: string): string {
  return `schedule:${scheduleId}`.slice(0, 300);
}

/** Why a caller may not decide on a run, or null when they may. */
export type Refusal = { readonly status: 400 | 403 | 409; readonly error: string };

export type Verdict =
  /** Enough approvals: the run goes to `accepted` and is queued. */
  | { readonly kind: 'approved'; readonly next: Run }
  /** An approval recorded; more are needed, the run keeps waiting. */
  | { readonly kind: 'recorded'; readonly next: Run }
  | { readonly kind: 'rejected'; readonly next: Run }
  /** The window closed before this decision: the run ends `expired` instead, and the decision is refused. */
  | { readonly kind: 'expired'; readonly next: Run }
  | ({ readonly kind: 'refused' } & Refusal);

/** Approvals from distinct people so far. */
export function approvalCount(execution: Execution): number {
  return new Set(execution.approvals.filter((a) => a.decision === 'approve').map((a) => a.principal)).size;
}

/** Time left to decide, in ms (0 once passed); null for a run that does not wait. */
export function timeLeftMs(execution: Execution, now: Date): number | null {
  if (execution.status !== 'pending_approval' || !execution.approval) return null;
  return Math.max(0, Date.parse(execution.approval.expiresAt) - now.getTime());
}

/**
 * Whether `caller` may make `decision` on this run now, ignoring the clock. Used to show or hide the
 * buttons and to filter `GET /api/approvals`; `decide` applies the same checks.
 */
export function mayDecide(execution: Execution, caller: Caller, decision: ApprovalDecisionKind): Refusal | null {
  const gate = execution.approval;
  if (execution.status !== 'pending_approval' || !gate) {
    return {
      status: 409,
      error: `execution ${execution.execId} is ${execution.status}; it is not waiting for approval`,
    };
  }
  // the local stack with access control off says so in its banner: anyone may decide
  if (caller.kind === 'local') return null;
  if (caller.kind !== 'user' && caller.kind !== 'token') {
    return { status: 403, error: 'approvals are decided by people: sign in, or use an API token' };
  }
  if (!hasRole(caller, 'operator')) {
    return { status: 403, error: `deciding on a run needs the operator role; ${caller.id} has not got it` };
  }
  if (
    gate.approvers.length > 0 &&
    !gate.approvers.some((a) => a === caller.principal || caller.memberships.includes(a))
  ) {
    return { status: 403, error: `only this run's approvers may decide: ${gate.approvers.join(', ')}` };
  }
  if (decision === 'approve' && !gate.allowSelfApproval && gate.requestedBy === caller.principal) {
    return { status: 403, error: 'you requested this run: someone else must approve it' };
  }
  if (execution.approvals.some((a) => a.principal === caller.principal && a.decision === 'approve')) {
    const missing = gate.minApprovals - approvalCount(execution);
    return {
      status: 409,
      error: `you have already approved this run; it needs ${missing} more approval${missing === 1 ? '' : 's'} from others`,
    };
  }
  return null;
}

/** What a caller may do about a run: approve, reject, each null when allowed or the refusal when not. */
export interface DecisionRights {
  readonly approve: Refusal | null;
  readonly reject: Refusal | null;
}

export function decisionRights(execution: Execution, caller: Caller): DecisionRights {
  return { approve: mayDecide(execution, caller, 'approve'), reject: mayDecide(execution, caller, 'reject') };
}

/** The runs among `pending` that still wait at `now` (housekeeping has not ended them yet). */
export function stillWaiting(pending: readonly Execution[], now: Date): Execution[] {
  return pending.filter((e) => !isPastExpiry(e, now));
}

const NO_GATE: Verdict = { kind: 'refused', status: 409, error: 'this run does not wait for approval' };

/** What one decision does to a pending run at `now`: the next state to write, or why not. */
export function decide(execution: Execution, caller: Caller, request: DecisionRequest, now: Date): Verdict {
  const refusal = mayDecide(execution, caller, request.decision);
  if (refusal?.status === 409 && execution.status !== 'pending_approval') return { kind: 'refused', ...refusal };
  // an unmatched alert has no gate: refused as any run that does not wait
  if (!isRun(execution)) return refusal ? { kind: 'refused', ...refusal } : NO_GATE;
  const gate = execution.approval;
  if (gate && now.getTime() >= Date.parse(gate.expiresAt)) return { kind: 'expired', next: expire(execution, now) };
  if (refusal) return { kind: 'refused', ...refusal };
  if (!gate) return NO_GATE;

  const reason = request.reason ? request.reason : null;
  if (request.decision === 'reject' && gate.rejectReasonRequired && !reason) {
    return { kind: 'refused', status: 400, error: 'reason: a rejection needs a reason (the schema requires one)' };
  }
  const decision: ApprovalDecision = {
    by: caller.id.slice(0, 256),
    principal: caller.principal,
    at: now.toISOString(),
    decision: request.decision,
    reason,
  };
  const decided = { ...execution, approvals: [...execution.approvals, decision] };
  if (request.decision === 'reject') {
    return {
      kind: 'rejected',
      next: {
        ...decided,
        status: 'rejected',
        finishedAt: now.toISOString(),
        error: `rejected by ${decision.by}${reason ? `: ${reason}` : ''}`,
      },
    };
  }
  // on the local stack every click counts: there is nobody to tell apart
  const approvals = caller.kind === 'local' ? decided.approvals.length : approvalCount(decided);
  if (approvals < gate.minApprovals) return { kind: 'recorded', next: decided };
  return { kind: 'approved', next: { ...decided, status: 'accepted' } };
}

/** The run as it ends when nobody decided in time. */
export function expire(execution: Run, now: Date): Run {
  const minutes = execution.approval
    ? Math.round((Date.parse(execution.approval.expiresAt) - Date.parse(execution.requestedAt)) / 60_000)
    : 0;
  const have = approvalCount(execution);
  const needed = execution.approval?.minApprovals ?? 1;
  return {
    ...execution,
    status: 'expired',
    finishedAt: now.toISOString(),
    error: `no decision within ${minutes} min (${have} of ${needed} approval${needed === 1 ? '' : 's'}): it never ran`,
  };
}

/** Whether the approval window of a pending run has closed at `now`. */
export function isPastExpiry(execution: Execution, now: Date): boolean {
  return (
    execution.status === 'pending_approval' &&
    execution.approval !== null &&
    now.getTime() >= Date.parse(execution.approval.expiresAt)
  );
}
