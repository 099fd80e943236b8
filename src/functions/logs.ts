import { z } from 'zod';
import { decisionRights, stillWaiting } from '../core/approval-policy.js';
import { ExecutionStatus } from '../core/execution.js';
import { formToken } from '../core/form-token.js';
import { SchemaId } from '../core/runbook-schema.js';
import { renderExecutionPage, renderExecutionsPage } from '../ui/index.js';
import { defineHttp } from './definitions.js';
import { listExecutionsPage, loadExecution } from './executions.js';
import { htmlResponse, renderError } from './http/html-page.js';
import type { ServicesProvider } from './services.js';

const PageQuery = z.object({
  status: ExecutionStatus.optional(),
  schema: SchemaId.optional(),
  /** Page size; left out of links unless the caller chose one (the list then shows 50). */
  limit: z.coerce.number().int().min(1).max(200).optional(),
  continuation: z.string().max(4096).optional(),
});

const DEFAULT_PAGE_SIZE = 50;

/** `GET /api/logs`: the web console's list of runs, filtered by `status` and `schema`, paged. */
export function executionsPageFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'LogsPage',
    { route: 'logs', methods: ['GET'], authLevel: 'anonymous', role: 'viewer', renderError },
    async ({ request, services: { storage, settings } }) => {
      // the filter form submits its "any" choices as empty fields
      const query = PageQuery.parse(Object.fromEntries([...request.query].filter(([, value]) => value !== '')));
      const now = new Date();
      const [page, pending] = await Promise.all([
        listExecutionsPage(storage, {
          status: query.status,
          schemaId: query.schema,
          limit: query.limit ?? DEFAULT_PAGE_SIZE,
          continuationToken: query.continuation,
        }),
        storage.executions.listPending(50),
      ]);
      const workers = (await storage.workers.list()).map((w) => ({
        ...w,
        alive: now.getTime() - Date.parse(w.lastSeen) <= settings.staleWorkerMs,
      }));
      const rendered = renderExecutionsPage({
        workers,
        executions: page.executions,
        filter: { status: query.status, schema: query.schema, limit: query.limit },
        continuation: query.continuation,
        nextContinuation: page.continuationToken,
        now,
        waiting: stillWaiting(pending, now),
      });
      return htmlResponse(200, rendered);
    },
  );
}

/** `GET /api/logs/{execId}`: one run with its full log, reloading itself until the run ends. */
export function executionPageFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'LogPage',
    { route: 'logs/{execId}', methods: ['GET'], authLevel: 'anonymous', role: 'viewer', renderError },
    async ({ request, caller, services: { storage, formKey } }) => {
      const execution = await loadExecution(storage, request);
      // row first, then log: a worker finishes the log before it writes a final status, so a page that
      // stops reloading always shows the whole log
      const log = await storage.logs.read(execution.execId);
      const rights = decisionRights(execution, caller);
      const approval = execution.approval && {
        approveRefusal: rights.approve?.error ?? null,
        rejectRefusal: rights.reject?.error ?? null,
        formToken: formToken(formKey, caller.id, execution.execId),
      };
      const rendered = renderExecutionPage({
        execution,
        log: log?.toString('utf8') ?? null,
        now: new Date(),
        approval,
      });
      return htmlResponse(200, rendered);
    },
  );
}
