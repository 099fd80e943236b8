import type { HttpResponseInit } from '@azure/functions';
import type { Caller } from '../../core/access.js';
import type { AlertContext } from '../../core/alert-context.js';
import type { AuditAction } from '../../core/audit.js';
import type { TriggerSource } from '../../core/execution.js';
import { RunTrigger } from '../../core/execution.js';
import { resolveParams } from '../../core/run-parameters.js';
import { planRun } from '../../core/run-plan.js';
import type { RunbookSchema } from '../../core/runbook-schema.js';
import { toSchemaResource } from '../../core/schema-resource.js';
import { RunDispatcher } from '../../runs/index.js';
import type { HttpCall } from '../definitions.js';
import { audit } from './audit.js';
import { HttpError } from './errors.js';
import { executionLinks } from './resources.js';

/** A run a person asks for (Trigger without an alert, `POST /api/executions`, a re-run). */
export interface ManualRun {
  readonly schema: RunbookSchema;
  readonly trigger: RunTrigger;
  /** Parameter values as sent: checked here against the schema's parameters. */
  readonly params: unknown;
  /** The alert a re-run carries again, and the run it re-runs. */
  readonly alert?: AlertContext | null;
  readonly rerunOf?: string;
  readonly action: AuditAction;
  /** Where a person asked for it, when not through the API: recorded in the audit row. */
  readonly via?: 'console';
  /** Done once the run has its id and before it is queued (what its worker reads must exist first). */
  readonly prepare?: (execId: string) => Promise<void>;
}

/** Who asks for a run, as its trigger: the caller (nobody, on the open local stack), and from where. */
export function requestedBy(caller: Caller, source: TriggerSource, team: string | null): RunTrigger {
  const known = caller.kind !== 'local';
  return RunTrigger.parse({
    source,
    actor: known ? caller.id : null,
    principal: known ? caller.principal : null,
    team,
  });
}

/**
 * Records and queues (or holds for approval) a manual run; `response` is the 202 with where to follow
 * it, `execId` the new run's id.
 */
export async function startManualRun(
  call: HttpCall,
  run: ManualRun,
): Promise<{ execId: string; response: HttpResponseInit }> {
  const { request, context, caller, services } = call;
  const { settings, storage, workerPresence, wake } = services;
  const { schema } = run;
  const params = resolveParams(schema.parameters, run.params);
  if (!params.ok) throw new HttpError(400, `invalid parameters for ${schema.id}: ${params.problems.join('; ')}`);
  const plan = planRun(schema, run.trigger, undefined, undefined, run.alert ?? null, {
    params: params.params,
    rerunOf: run.rerunOf,
    // a re-run carries its alert again, and is about the same cluster
    aksClusters: settings.aksClusters,
  });
  const { execId } = plan.execution;
  await run.prepare?.(execId);
  await new RunDispatcher(storage, wake).dispatch(plan);
  await audit(storage, context, {
    caller,
    request,
    action: run.action,
    target: execId,
    details: {
      schema: schema.id,
      ...(run.trigger.team ? { team: run.trigger.team } : {}),
      ...(run.rerunOf ? { rerun_of: run.rerunOf } : {}),
      ...(run.via ? { via: run.via } : {}),
    },
  });
  const links = executionLinks(execId);
  const served = await workerPresence.serves(schema.worker);
  const response = {
    status: 202,
    headers: { location: links.execution },
    jsonBody: {
      exec_id: execId,
      status: plan.execution.status,
      requested_at: plan.execution.requestedAt,
      ...(run.rerunOf ? { rerun_of: run.rerunOf } : {}),
      schema: toSchemaResource(schema),
      links,
      ...(served ? {} : { warning: unservedWarning(schema.worker, settings.queuedTimeoutMs) }),
    },
  };
  return { execId, response };
}

/** Why a run may never start: said in the answer, since nothing else would say it before the timeout. */
function unservedWarning(worker: string, queuedTimeoutMs: number): string {
  return `no live worker serves capability ${worker}: the run waits in its queue, and ends error after ${Math.round(queuedTimeoutMs / 60_000)} min if none comes (CLOUDO_QUEUED_TIMEOUT_MS)`;
}
