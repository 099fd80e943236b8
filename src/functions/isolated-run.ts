import { z } from 'zod';
import { ExecId, isRun } from '../core/execution.js';
import type { IsolatedRunInput } from '../core/isolated-run.js';
import { checkRunCapability, RUN_CAPABILITY_HEADER } from '../core/isolated-run.js';
import { defineHttp } from './definitions.js';
import { HttpError } from './http/errors.js';
import type { ServicesProvider } from './services.js';

/**
 * `GET /api/runs/{execId}/isolated`: an isolated run's one-shot process (in its own container group) reads
 * the run it is to execute, and its alert. Anonymous to the Functions host: the process presents the run
 * capability its worker gave it (`x-cloudo-run`, an HMAC with CLOUDO_WORKER_KEY of this run id and an
 * expiry), which reads this one run and nothing else — the process holds no storage rights at all.
 *
 * 200 IsolatedRunInput; 401 no or a bad capability; 403 a run that is not a running container run;
 * 404 no such run, or the app has no CLOUDO_WORKER_KEY.
 */
export function isolatedRunFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'IsolatedRun',
    { route: 'runs/{execId}/isolated', methods: ['GET'], authLevel: 'anonymous', role: 'public' },
    async ({ request, services: app }) => {
      const { execId } = z.object({ execId: ExecId }).parse(request.params);
      const { workerKey } = app.settings;
      if (!workerKey) throw new HttpError(404, 'isolated runs are off: the app has no CLOUDO_WORKER_KEY');
      const granted = checkRunCapability(workerKey, execId, request.headers.get(RUN_CAPABILITY_HEADER));
      if (!granted.ok) throw new HttpError(401, `${RUN_CAPABILITY_HEADER} refused (${granted.reason})`);

      const row = await app.storage.executions.get(execId);
      if (!row || !isRun(row.execution)) throw new HttpError(404, `no run with id "${execId}"`);
      const run = row.execution;
      if (run.isolation !== 'container') throw new HttpError(403, `run ${execId} does not run in a container`);
      if (run.status !== 'running') throw new HttpError(403, `run ${execId} is ${run.status}, not running`);
      const alert = run.monitorCondition === null ? null : await app.storage.alertPayloads.load(execId);
      const answer: IsolatedRunInput = { run, alert };
      return { jsonBody: answer };
    },
  );
}
