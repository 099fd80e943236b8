import type { Caller } from '../../core/access.js';
import { approvalCount, decisionRights, timeLeftMs } from '../../core/approval-policy.js';
import type { Execution } from '../../core/execution.js';
import { durationMs } from '../../core/execution.js';

/** Links a client can follow from a run. */
export function executionLinks(execId: string) {
  return {
    execution: `/api/executions/${execId}`,
    log: `/api/logs/${execId}`,
    raw_log: `/api/executions/${execId}/log`,
  };
}

/** An execution as the public API shows it (snake_case, like the schemas file and Trigger's answer). */
export function toExecutionResource(e: Execution, now: Date = new Date()) {
  return {
    exec_id: e.execId,
    schema_id: e.schemaId,
    schema_partition: e.schemaPartition,
    schema_name: e.schemaName,
    runbook: e.runbook,
    worker: e.worker,
    run_args: e.runArgs,
    oncall: e.oncall,
    timeout_ms: e.timeoutMs,
    trigger: e.trigger,
    status: e.status,
    requested_at: e.requestedAt,
    started_at: e.startedAt,
    finished_at: e.finishedAt,
    duration_ms: durationMs(e, now),
    exit_code: e.exitCode,
    signal: e.signal,
    error: e.error,
    log_bytes: e.logBytes,
    worker_host: e.workerHost,
    alert_rule: e.alertRule,
    monitor_condition: e.monitorCondition,
    resource_id: e.resourceId,
    cancel_requested_by: e.cancelRequestedBy,
    runbook_origin: e.runbookOrigin,
    commit_sha: e.commitSha,
    notify_error: e.notifyError,
    abandoned_at: e.abandonedAt,
    requeued_at: e.requeuedAt,
    approval: e.approval && {
      approvers: e.approval.approvers,
      min_approvals: e.approval.minApprovals,
      allow_self_approval: e.approval.allowSelfApproval,
      reject_reason_required: e.approval.rejectReasonRequired,
      requested_by: e.approval.requestedBy,
      expires_at: e.approval.expiresAt,
    },
    approvals: e.approvals,
    deliveries: e.deliveries,
    links: executionLinks(e.execId),
  };
}

/** A gated run as `/api/approvals` shows it: what will run, who asked, time left, and what this caller may do. */
export function toApprovalResource(e: Execution, caller: Caller, now: Date = new Date()) {
  const rights = decisionRights(e, caller);
  return {
    exec_id: e.execId,
    status: e.status,
    schema_id: e.schemaId,
    schema_name: e.schemaName,
    runbook: e.runbook,
    run_args: e.runArgs,
    worker: e.worker,
    trigger: e.trigger,
    requested_at: e.requestedAt,
    requested_by: e.approval?.requestedBy ?? null,
    alert_rule: e.alertRule,
    monitor_condition: e.monitorCondition,
    resource_id: e.resourceId,
    expires_at: e.approval?.expiresAt ?? null,
    time_left_ms: timeLeftMs(e, now),
    approvers: e.approval?.approvers ?? [],
    min_approvals: e.approval?.minApprovals ?? null,
    approvals_so_far: approvalCount(e),
    approvals: e.approvals,
    can_approve: rights.approve === null,
    can_reject: rights.reject === null,
    cannot_decide_because: rights.approve && rights.reject ? rights.approve.error : null,
    links: { ...executionLinks(e.execId), approval: `/api/approvals/${e.execId}` },
  };
}
