import { z } from 'zod';
import { ExecId } from '../core/execution.js';
import { cancelRun } from '../runs/index.js';
import type { HttpCall } from './definitions.js';
import { defineHttp } from './definitions.js';
import { audit } from './http/audit.js';
import { HttpError } from './http/errors.js';
import { toExecutionResource } from './http/resources.js';
import type { ServicesProvider } from './services.js';

/**
 * `POST /api/executions/{execId}/cancel` (operator): a queued run never starts (200, cancelled); a
 * running run's process tree is killed by its worker (202, cancelling, then cancelled); a finished run
 * cannot be cancelled (409).
 */
export function cancelExecutionFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'CancelExecution',
    { route: 'executions/{execId}/cancel', methods: ['POST'], authLevel: 'anonymous', role: 'operator' },
    async (call) => {
      const { execId } = z.object({ execId: ExecId }).parse(call.request.params);
      const result = await applyCancel(call, execId, 'api');
      return {
        status: result.kind === 'cancelled' ? 200 : 202,
        jsonBody: toExecutionResource(result.execution),
      };
    },
  );
}

/**
 * Cancels as the caller, maps "no such run" and "already finished" to 404 and 409, audits the cancel and
 * announces a queued run's end. The one way every route cancels (`via`: the API or the run page's form).
 */
export async function applyCancel(
  { request, context, caller, services: { storage } }: HttpCall,
  execId: string,
  via: 'api' | 'console',
) {
  const result = await cancelRun(storage.executions, execId, caller.id);
  if (result.kind === 'missing') throw new HttpError(404, `no execution with id "${execId}"`);
  if (result.kind === 'finished') {
    throw new HttpError(409, `execution ${execId} has already finished (${result.status}); there is nothing to cancel`);
  }
  await audit(storage, context, {
    caller,
    request,
    action: 'cancel',
    target: execId,
    details: { was: result.kind, ...(via === 'console' ? { via } : {}) },
  });
  // a queued run ends here; a running one is announced by its worker once its tree is gone
  if (result.kind === 'cancelled') await storage.results.publish(result.execution);
  return result;
}
