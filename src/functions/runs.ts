import { z } from 'zod';
import type { Execution } from '../core/execution.js';
import { isRun } from '../core/execution.js';
import { SchemaId } from '../core/runbook-schema.js';
import { linkRerun } from '../runs/index.js';
import type { HttpCall } from './definitions.js';
import { defineHttp } from './definitions.js';
import { loadExecution } from './executions.js';
import { readJsonBody } from './http/body.js';
import { HttpError } from './http/errors.js';
import { requestedBy, startManualRun } from './http/manual-run.js';
import type { ServicesProvider } from './services.js';

const StartRunBody = z
  .object({
    schema_id: SchemaId,
    params: z.unknown().optional(),
    /** Which client asked: the CLI and the console say so, for the run's trigger. */
    source: z.enum(['http', 'cli', 'console']).default('http'),
  })
  .strict();

/**
 * `POST /api/executions` (operator) `{"schema_id", "params"?}`: a person starts a run with their API
 * token or session, no Functions key needed (Trigger keeps that for webhooks and the original's curl).
 */
export function startRunFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'StartRun',
    { route: 'executions', methods: ['POST'], authLevel: 'anonymous', role: 'operator' },
    async (call) => {
      const { caller, services: s } = call;
      const body = StartRunBody.parse((await readJsonBody(call.request, s.settings.maxBodyBytes)) ?? {});
      const schema = await s.storage.schemas.get(body.schema_id);
      if (!schema) throw new HttpError(404, `no runbook schema with id "${body.schema_id}"`);
      const trigger = requestedBy(caller, body.source, null);
      return (await startManualRun(call, { schema, trigger, params: body.params, action: 'trigger' })).response;
    },
  );
}

/**
 * `POST /api/executions/{execId}/rerun` (operator): a new run of the same schema, with the same arguments,
 * parameters and alert, linked both ways (`rerun_of`, `reruns`). A gated schema's re-run waits for
 * approval like any run: a re-run is a new decision.
 */
export function rerunFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'RerunExecution',
    { route: 'executions/{execId}/rerun', methods: ['POST'], authLevel: 'anonymous', role: 'operator' },
    async (call) =>
      (await rerunExecution(call, await loadExecution(call.services.storage, call.request), 'api')).response,
  );
}

/**
 * Starts `original` again as the caller: same schema, arguments, parameters and alert, linked both ways.
 * The one way every route re-runs (`via`: the API or the run page's form); answers as `startManualRun`,
 * with the new run's id.
 */
export async function rerunExecution(call: HttpCall, original: Execution, via: 'api' | 'console') {
  const { caller, services: s } = call;
  if (!isRun(original)) throw new HttpError(409, 'an unmatched alert ran nothing: there is no run to repeat');
  const schema = await s.storage.schemas.get(original.schemaId);
  if (!schema) throw new HttpError(409, `schema "${original.schemaId}" no longer exists: its run cannot be repeated`);
  const stored = await s.storage.alertPayloads.load(original.execId);
  const trigger = requestedBy(caller, 'rerun', original.trigger.team);
  const { alertPayloads, executions } = s.storage;
  const { execId, response } = await startManualRun(call, {
    schema,
    trigger,
    params: original.params,
    alert: stored?.alert ?? null,
    rerunOf: original.execId,
    action: 'rerun',
    ...(via === 'console' ? { via } : {}),
    // the re-run's worker reads its alert and payload as the original's did: a copy of its own, kept
    // however long the new run is
    prepare: async (rerunId) => {
      if (stored) {
        const requestId = await alertPayloads.saveRequest(stored.payload);
        await alertPayloads.save(rerunId, { alert: stored.alert, requestId });
      }
    },
  });
  await linkRerun(executions, original.execId, execId);
  return { execId, response };
}
