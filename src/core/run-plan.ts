import { createHash } from 'node:crypto';
import { resolveAksAccess } from './aks-cluster.js';
import type { AlertContext } from './alert-context.js';
import { alertRequester, openGate, scheduleRequester } from './approval-policy.js';
import type { Execution, Run, RunTrigger, ScheduledTick, UnmatchedAlert } from './execution.js';
import { newExecId, newExecution, newUnmatchedAlert } from './execution.js';
import { DEFAULT_RESOURCES } from './isolation.js';
import type { JobMessage } from './job-message.js';
import type { ParamValue } from './run-parameters.js';
import type { RunbookSchema } from './runbook-schema.js';

/** What a run may carry besides its schema and alert. */
export interface RunExtras {
  /** Values of the schema's parameters, already checked (resolveParams). */
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** The run this one starts again. */
  readonly rerunOf?: string;
  /** The schedule and tick that start it. */
  readonly schedule?: ScheduledTick;
  /** The deployment's AKS integration (CLOUDO_AKS_CLUSTERS): where `aks_credentials: auto` fetches credentials. */
  readonly aksClusters?: readonly string[];
}

export interface RunPlan {
  readonly execution: Run;
  /** What to queue now; null for a gated run, which waits (`pending_approval`) until people decide. */
  readonly job: JobMessage | null;
}

/**
 * Builds the Execution row and JobMessage of a new run. A schema with `require_approval` gets a row
 * that waits and no job. Pure: time and id come in as arguments.
 */
export function planRun(
  schema: RunbookSchema,
  trigger: RunTrigger,
  now: Date = new Date(),
  execId: string = newExecId(now.getTime()),
  alert: AlertContext | null = null,
  extras: RunExtras = {},
): RunPlan {
  // an alert's run is requested by its rule, never by whoever delivered it; a re-run by who asked for it;
  // a scheduled run by its schedule, which the approval request names
  const requestedBy = extras.schedule
    ? scheduleRequester(extras.schedule.id)
    : alert && !extras.rerunOf
      ? alertRequester(alert.alertRule)
      : trigger.principal;
  const execution = newExecution({
    execId,
    schemaId: schema.id,
    schemaPartition: schema.partitionKey,
    schemaName: schema.name,
    runbook: schema.runbook,
    worker: schema.worker,
    runArgs: schema.runArgs,
    oncall: schema.oncall,
    timeoutMs: schema.timeoutSeconds * 1000,
    params: extras.params ?? {},
    rerunOf: extras.rerunOf ?? null,
    schedule: extras.schedule ?? null,
    // as the schema was when the run was requested: a later edit does not change who a queued run acts as
    identity: schema.identity,
    isolation: schema.isolation,
    resources: schema.isolation === 'container' ? (schema.resources ?? DEFAULT_RESOURCES) : null,
    // the schema's team routes notifications when the request named none
    trigger: { ...trigger, team: trigger.team ?? schema.team },
    status: schema.requireApproval ? 'pending_approval' : 'accepted',
    requestedAt: now.toISOString(),
    // a container run has no worker to fetch AKS credentials for it (the schema cannot ask for them)
    ...(schema.isolation === 'container'
      ? { aksCredentials: false, aksCluster: null }
      : resolveAksAccess(schema.aksCredentials, alert, extras.aksClusters ?? [])),
    exclusiveKey: schema.concurrency === 'queue' ? queueKey(schema.id, alert, extras.schedule ?? null) : null,
    approval: schema.requireApproval ? openGate(schema, requestedBy, now) : null,
    ...alertSummary(alert),
  });
  return { execution, job: schema.requireApproval ? null : jobFor(execution, now) };
}

/** The JobMessage that sends an accepted run to its worker's queue. */
export function jobFor(execution: Run, now: Date = new Date()): JobMessage {
  return {
    v: 1,
    execId: execution.execId,
    schemaId: execution.schemaId,
    worker: execution.worker,
    enqueuedAt: now.toISOString(),
    ...(execution.exclusiveKey ? { exclusiveKey: execution.exclusiveKey } : {}),
  };
}

/**
 * What an execution row keeps of its alert: enough to list and filter, cut to fit a table property, as
 * well-formed text. Alert JSON may hold a lone surrogate (`"\ud800"` is valid JSON, and a cut can split a
 * pair), which UTF-8 cannot encode, so no filter could carry it in a URL: it becomes U+FFFD. A query for
 * an alert's runs filters on these values, never on the alert's own.
 */
export function alertSummary(
  alert: AlertContext | null,
): Pick<Execution, 'alertRule' | 'monitorCondition' | 'resourceId'> {
  const cut = (v: string | null) => (v === null ? null : v.slice(0, 1024).replace(/\p{Cs}/gu, '\uFFFD'));
  return {
    alertRule: cut(alert?.alertRule ?? null),
    monitorCondition: alert?.monitorCondition ?? null,
    resourceId: cut(alert?.resourceId ?? null),
  };
}

/**
 * The record of an alert no schema handles: a terminal row that says so, and no job. It stands for one
 * delivery; repeats of the alert count on it (`deliveries`).
 */
export function planUnmatched(
  alert: AlertContext,
  trigger: RunTrigger,
  now: Date = new Date(),
  execId: string = newExecId(now.getTime()),
): UnmatchedAlert {
  return newUnmatchedAlert({
    execId,
    trigger,
    status: 'unmatched',
    requestedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    error: `no schema handles alert rule "${(alert.alertRule ?? '(none)').slice(0, 200)}": name one with ?id=, or add the rule to a schema's alert_rules`,
    deliveries: 1,
    ...alertSummary(alert),
  });
}

/** The row of an unmatched alert after one more delivery of it. */
export function countDelivery(execution: Execution): Execution {
  return { ...execution, deliveries: (execution.deliveries ?? 1) + 1 };
}

/**
 * What runs of a `concurrency: queue` schema take turns on: an alert's resource, or a schedule (its next
 * tick waits for the previous run); null for other runs, which do not wait.
 */
function queueKey(schemaId: string, alert: AlertContext | null, schedule: ScheduledTick | null): string | null {
  if (alert?.resourceId) return exclusiveKey(schemaId, alert.resourceId);
  return schedule ? exclusiveKey(schemaId, `schedule:${schedule.id}`) : null;
}

/** Runs of one schema on one resource share this key; ARM ids are case-insensitive. */
export function exclusiveKey(schemaId: string, resourceId: string): string {
  return createHash('sha256').update(`${schemaId}\n${resourceId.toLowerCase()}`).digest('hex');
}
