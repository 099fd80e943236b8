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
    links: executionLinks(e.execId),
  };
}
