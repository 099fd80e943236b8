import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { parseAlert } from '../alerts/index.js';
import type { AlertContext } from '../core/alert-context.js';
import type { RunbookSchema } from '../core/runbook-schema.js';
import { SchemaId, TeamName } from '../core/runbook-schema.js';
import { AlertIntake } from '../intake/index.js';
import type { HttpCall } from './definitions.js';
import { defineHttp } from './definitions.js';
import { alertAnswer } from './http/alert-answer.js';
import { audit } from './http/audit.js';
import { readJsonBody } from './http/body.js';
import { HttpError } from './http/errors.js';
import { requestedBy, startManualRun } from './http/manual-run.js';
import type { ServicesProvider } from './services.js';

const TriggerQuery = z.object({ id: SchemaId.optional() });
/** The team of `/api/Trigger/{team}`; a path segment has no JSON path, so the message names it. */
function teamOf(param: string | undefined): string | null {
  if (!param) return null;
  const parsed = TeamName.safeParse(param);
  if (!parsed.success) throw new HttpError(400, `team ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

/**
 * `function` (default): a Functions key, checked by the host, is required. `anonymous`: no key; callers
 * prove themselves with an API token or an Entra-signed Secure Webhook, so no secret sits in a URL.
 */
export type TriggerAuthLevel = 'function' | 'anonymous';

/**
 * `GET|POST /api/Trigger/{team?}?id=<schema id>`: records a run and queues it. A Functions key (checked
 * by the host) or an operator identity may call it. With an alert payload in the body (Azure Monitor,
 * Alertmanager...) each alert runs the schema `id` names or, without `id`, the schemas that handle its rule.
 */
export function triggerFunction(services: ServicesProvider, authLevel: TriggerAuthLevel = 'function') {
  return defineHttp(
    services,
    'Trigger',
    {
      route: 'Trigger/{team?}',
      methods: ['GET', 'POST'],
      authLevel,
      role: 'operator',
      webhooks: true,
      getChangesState: true,
    },
    async (args) => {
      const {
        request,
        services: { settings, storage },
      } = args;
      const { id } = TriggerQuery.parse({ id: request.query.get('id') ?? undefined });
      const team = teamOf(request.params.team);
      // the schema is read while the body streams in (the host serves Functions in stream mode): one wait
      // instead of two on every alert; a bad body is still what a caller hears first
      const schemaRead = id ? storage.schemas.get(id) : Promise.resolve(null);
      schemaRead.catch(() => undefined);
      // an empty body is a manual run; any other body must be an alert payload
      const payload = request.method === 'POST' ? await readJsonBody(request, settings.maxBodyBytes) : undefined;
      const schema = await schemaRead;
      if (id && !schema) throw new HttpError(404, `no runbook schema with id "${id}"`);
      const call: TriggerCall = { ...args, schema, team };
      if (payload === undefined) return triggerRun(call, undefined);
      if (isRunRequest(payload)) return triggerRun(call, payload.params);
      const parsed = parseAlert(payload);
      if (parsed.ok) return triggerAlerts(call, parsed.alerts, payload);
      // the original console posted {"source": ...} to start a run: with a schema named, a body that is no
      // alert is a plain manual run; without one, it was meant as an alert
      if (schema) return triggerRun(call, undefined);
      throw new HttpError(422, `not an alert payload ClouDO knows; checked: ${parsed.checked.join('; ')}`);
    },
  );
}

/** `{"params": {...}}`: a manual run with parameter values, not an alert. */
function isRunRequest(payload: unknown): payload is { params: unknown } {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) && 'params' in payload;
}

/** A Trigger call with its schema (when `id` named one) and the team of `/api/Trigger/{team}`. */
interface TriggerCall extends HttpCall {
  readonly schema: RunbookSchema | null;
  readonly team: string | null;
}

/** An alert payload: each alert runs the schema `id` names or, without `id`, the schemas that handle it. */
async function triggerAlerts(
  call: TriggerCall,
  alerts: readonly AlertContext[],
  payload: unknown,
): Promise<HttpResponseInit> {
  const { request, context, caller, schema, services } = call;
  const { settings, storage, wake } = services;
  if (alerts.length > settings.maxAlertsPerRequest) {
    throw new HttpError(
      413,
      `this request carries ${alerts.length} alerts; at most ${settings.maxAlertsPerRequest} are accepted per request (CLOUDO_MAX_ALERTS_PER_REQUEST)`,
    );
  }
  const trigger = requestedBy(call.caller, 'alert', call.team);
  const outcomes = await new AlertIntake(storage, undefined, settings.aksClusters, wake).accept({
    schema,
    alerts,
    payload,
    trigger,
  });
  for (const o of outcomes.filter((o) => o.kind === 'started' || o.kind === 'pending_approval')) {
    await audit(storage, context, {
      caller,
      request,
      action: 'trigger',
      target: o.execId ?? '',
      details: { schema: o.schemaId ?? '', alert: (o.alertRule ?? '').slice(0, 200), condition: o.monitorCondition },
    });
  }
  return { status: 202, jsonBody: alertAnswer(alerts.length, outcomes) };
}

/** A manual run of the schema `id` names, with the parameter values `sentParams`. */
async function triggerRun(call: TriggerCall, sentParams: unknown): Promise<HttpResponseInit> {
  const { schema } = call;
  if (!schema)
    throw new HttpError(400, 'missing schema id: call /api/Trigger?id=<schema id>, or POST an alert payload');
  const trigger = requestedBy(call.caller, 'http', call.team);
  return (await startManualRun(call, { schema, trigger, params: sentParams, action: 'trigger' })).response;
}
