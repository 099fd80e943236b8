import { z } from 'zod';
import { ExecId, isRun } from '../core/execution.js';
import type { FederatedTokenAnswer } from '../core/federated-token.js';
import { FederatedTokenRequest } from '../core/federated-token.js';
import { resolveRunbookIdentity } from '../core/runbook-identity.js';
import { checkWorkerSignature, WORKER_HEADER } from '../core/worker-signature.js';
import { defineHttp } from './definitions.js';
import { HttpError } from './http/errors.js';
import { issuerOf } from './oidc.js';
import type { ServicesProvider } from './services.js';

/**
 * `POST /api/runs/{execId}/federated-token`: a worker asks for the token its run exchanges with Entra for
 * the run's own Azure identity (workload-identity federation, ClouDO the issuer). Anonymous to the Functions
 * host: the worker proves itself with `x-cloudo-worker`, an HMAC with CLOUDO_WORKER_KEY of the method, the
 * path and its id, and gets a token only for a run that is running under its own claim. The subject is the
 * schema's (or the shared default identity's): no answer here can make one schema's run act as another's.
 *
 * 200 FederatedTokenAnswer; 204 this run has no Azure identity in this deployment; 401 an unsigned or
 * wrongly signed call; 403 a run not running, or claimed by another worker; 404 no such run, or no issuer.
 */
export function federatedTokenFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'FederatedToken',
    { route: 'runs/{execId}/federated-token', methods: ['POST'], authLevel: 'anonymous', role: 'public' },
    async ({ request, context, services: app }) => {
      const { execId } = z.object({ execId: ExecId }).parse(request.params);
      const { workerKey } = app.settings;
      if (!workerKey) throw new HttpError(404, 'run tokens are off: the app has no CLOUDO_WORKER_KEY');
      const body = FederatedTokenRequest.safeParse(await request.json().catch(() => undefined));
      if (!body.success) {
        throw new HttpError(
          400,
          `the body must be JSON { "workerId": "<the worker's id>" }: ${body.error.issues[0]?.message}`,
        );
      }
      const { workerId } = body.data;
      const signed = checkWorkerSignature(
        workerKey,
        { method: request.method, path: new URL(request.url).pathname, workerId },
        request.headers.get(WORKER_HEADER),
      );
      if (!signed.ok) throw new HttpError(401, `${WORKER_HEADER} refused (${signed.reason})`);

      const row = await app.storage.executions.get(execId);
      if (!row || !isRun(row.execution)) throw new HttpError(404, `no run with id "${execId}"`);
      const run = row.execution;
      if (run.status !== 'running') throw new HttpError(403, `run ${execId} is ${run.status}, not running`);
      if (run.workerId !== workerId) throw new HttpError(403, `run ${execId} is claimed by another worker`);

      const identities = app.settings.runbookIdentities;
      const identity = resolveRunbookIdentity(run, identities);
      if (identity.status === 'none') return { status: 204 };
      // the run cannot act as what its author meant: it ends with this, rather than run as nobody
      if (identity.status === 'unknown') throw new HttpError(409, identity.error);
      if (!identity.tenantId) throw new HttpError(409, 'runbook identities need the app’s AZURE_TENANT_ID');
      const issued = await issuerOf(app).issue({
        subject: identity.subject,
        execId,
        team: run.trigger.team ?? null,
        trigger: run.trigger.source,
      });
      context.log(`FederatedToken: run ${execId} (${identity.subject}) for worker ${workerId}`);
      const answer: FederatedTokenAnswer = {
        token: issued.token,
        expiresOn: issued.expiresOn.toISOString(),
        clientId: identity.clientId,
        tenantId: identity.tenantId,
        authorityHost: identities.authorityHost,
      };
      return { jsonBody: answer };
    },
  );
}
