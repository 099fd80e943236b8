import { z } from 'zod';
import { RunTrigger } from '../core/execution.js';
import { planRun } from '../core/run-plan.js';
import { SchemaId, toSchemaResource } from '../core/runbook-schema.js';
import { defineHttp } from './definitions.js';
import { audit } from './http/audit.js';
import { readBodyText } from './http/body.js';
import { HttpError } from './http/errors.js';
import { executionLinks } from './http/resources.js';
import type { ServicesProvider } from './services.js';

const TriggerQuery = z.object({ id: SchemaId.optional() });
const Team = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'team must be 1-64 letters, digits, "_", "." or "-"');

/**
 * `function` (default): a Functions key, checked by the host, is required. `anonymous`: no key; callers
 * prove themselves with an API token or an Entra-signed Secure Webhook, so no secret sits in a URL.
 */
export type TriggerAuthLevel = 'function' | 'anonymous';

/**
 * `GET|POST /api/Trigger/{team?}?id=<schema id>`: records a run and queues it. A Functions key (checked
 * by the host) or an operator identity may call it. Alert payloads in the body (with or without `id`)
 * are the next seam: they will resolve to the schema ids to run.
 */
export function triggerFunction(services: ServicesProvider, authLevel: TriggerAuthLevel = 'function') {
  return defineHttp(
    services,
    'Trigger',
    { route: 'Trigger/{team?}', methods: ['GET', 'POST'], authLevel, role: 'operator' },
    async ({ request, context, caller, services: { settings, storage } }) => {
      const { id } = TriggerQuery.parse({ id: request.query.get('id') ?? undefined });
      const team = request.params.team ? Team.parse(request.params.team) : null;
      const body = request.method === 'POST' ? await readBodyText(request, settings.maxBodyBytes) : '';
      if (!id) {
        throw new HttpError(
          400,
          body.trim() === ''
            ? 'missing schema id: call /api/Trigger?id=<schema id>'
            : 'missing schema id: alert payloads without ?id= are not supported yet; call /api/Trigger?id=<schema id>',
        );
      }
      const schema = await storage.schemas.get(id);
      if (!schema) throw new HttpError(404, `no runbook schema with id "${id}"`);

      const actor = caller.kind === 'local' ? null : caller.id;
      const plan = planRun(schema, RunTrigger.parse({ source: 'http', actor, team }));
      await storage.dispatcher.dispatch(plan);
      await audit(storage, context, {
        caller,
        request,
        action: 'trigger',
        target: plan.execution.execId,
        details: { schema: schema.id, ...(team ? { team } : {}) },
      });
      const links = executionLinks(plan.execution.execId);
      return {
        status: 202,
        headers: { location: links.execution },
        jsonBody: {
          exec_id: plan.execution.execId,
          status: plan.execution.status,
          requested_at: plan.execution.requestedAt,
          schema: toSchemaResource(schema),
          links,
        },
      };
    },
  );
}
