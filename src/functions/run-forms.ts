import type { Execution } from '../core/execution.js';
import type { FormPurpose } from '../core/form-token.js';
import { isFormToken } from '../core/form-token.js';
import { executionUrl } from '../ui/index.js';
import { applyCancel } from './cancel.js';
import type { HttpCall } from './definitions.js';
import { defineHttp } from './definitions.js';
import { loadExecution } from './executions.js';
import { readBodyText } from './http/body.js';
import { HttpError } from './http/errors.js';
import { renderError } from './http/html-page.js';
import { rerunExecution } from './runs.js';
import type { ServicesProvider } from './services.js';

/**
 * Loads the run a console form acts on and checks the form's token: issued by the run page to this
 * person, for this run, for this action. Besides the cross-site check every POST gets, it proves the
 * POST comes from a page ClouDO served them (a Cancel token cannot re-run, nor another run's cancel).
 */
async function formRun(call: HttpCall, purpose: FormPurpose): Promise<Execution> {
  const execution = await loadExecution(call.services.storage, call.request);
  const form = new URLSearchParams(await readBodyText(call.request, call.services.settings.maxBodyBytes));
  if (!isFormToken(call.services.formKey, call.caller.id, execution.execId, form.get('token') ?? '', purpose)) {
    throw new HttpError(403, 'this form was not issued to you for this run: reload the run page and try again');
  }
  return execution;
}

/**
 * `POST /api/logs/{execId}/cancel` (operator): the run page's Cancel button. Cancels as the API does and
 * answers 303 back to the run page (a reload does not post again), where the run is seen to end. A run
 * that already ended is a 409 page saying so.
 */
export function cancelFormFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'CancelForm',
    { route: 'logs/{execId}/cancel', methods: ['POST'], authLevel: 'anonymous', role: 'operator', renderError },
    async (call) => {
      const { execId } = await formRun(call, 'cancel-form');
      await applyCancel(call, execId, 'console');
      return { status: 303, headers: { location: executionUrl(execId) } };
    },
  );
}

/**
 * `POST /api/logs/{execId}/rerun` (operator): the run page's Re-run button. Starts the run again as the
 * API does and answers 303 to the new run's page.
 */
export function rerunFormFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'RerunForm',
    { route: 'logs/{execId}/rerun', methods: ['POST'], authLevel: 'anonymous', role: 'operator', renderError },
    async (call) => {
      const original = await formRun(call, 'rerun-form');
      const { execId } = await rerunExecution(call, original, 'console');
      return { status: 303, headers: { location: executionUrl(execId) } };
    },
  );
}
