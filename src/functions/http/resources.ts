import type { Caller } from '../../core/access.js';
import { approvalCount, decisionRights, timeLeftMs } from '../../core/approval-policy.js';
import type { Execution } from '../../core/execution.js';
import { durationMs } from '../../core/execution.js';
import type { RunResources } from '../../core/isolation.js';

/** Links a client can follow from a run. */
export function executionLinks(execId: string) {
  return {
    execution: `/api/executions/${execId}`,
    log: `/api/logs/${execId}`,
    raw_log: `/api/executions/${execId}/log`,
  };
}

/** A run's fields the API keeps to itself: which process claimed it, its lock key, and how it was set up. */
const INTERNAL_FIELDS: ReadonlySet<string> = new Set<keyof Execution>([
  'workerId',
  'aksCredentials',
  'aksCluster',
  'exclusiveKey',
]);

/** `runArgs` → `run_args`: the API's field names are the contracts' in snake_case. */
export const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * An execution as the public API shows it: every field of the contract in snake_case (like the schemas
 * file and Trigger's answer), so a field added to the run shows without a line here, plus what is derived
 * (its duration, its links) and the approval policy with its own fields in snake_case.
 */
export function toExecutionResource(e: Execution, now: Date = new Date()): Record<string, unknown> {
  const fields = Object.entries(e).filter(([name]) => !INTERNAL_FIELDS.has(name));
  return {
    ...Object.fromEntries(fields.map(([name, value]) => [snakeCase(name), value])),
    resources: resourcesResource(e.resources),
    ran_on: ranOn(e),
    duration_ms: durationMs(e, now),
    approval: e.approval && {
      approvers: e.approval.approvers,
      min_approvals: e.approval.minApprovals,
      allow_self_approval: e.approval.allowSelfApproval,
      reject_reason_required: e.approval.rejectReasonRequired,
      requested_by: e.approval.requestedBy,
      expires_at: e.approval.expiresAt,
    },
    links: executionLinks(e.execId),
  };
}

/** A run's or a schema's container size, in the schemas file's own names. */
export function resourcesResource(r: RunResources | null) {
  return r && { cpu: r.cpu, memory_gb: r.memoryGb };
}

/**
 * Where a run ran, once a worker took it: a container group of its own (its name and size) or its
 * worker's host; null while nothing has.
 */
export function ranOn(e: Execution) {
  if (e.containerGroup !== null) {
    return { kind: 'container', container_group: e.containerGroup, ...resourcesResource(e.resources) };
  }
  return e.workerHost === null ? null : { kind: 'host', host: e.workerHost };
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
