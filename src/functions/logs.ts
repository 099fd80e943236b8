import { z } from 'zod';
import { hasRole } from '../core/access.js';
import { decisionRights, stillWaiting } from '../core/approval-policy.js';
import { formToken } from '../core/form-token.js';
import { logWindow, startAtLine } from '../core/log-window.js';
import { isCancellable, isRerunnable, renderExecutionPage, renderExecutionsPage } from '../ui/index.js';
import { defineHttp } from './definitions.js';
import { listExecutionsPage, loadExecution } from './executions.js';
import { parseExecutionSearch, toExecutionQuery } from './http/execution-search.js';
import { htmlResponse, renderError } from './http/html-page.js';
import type { ServicesProvider } from './services.js';

// a datetime-local field sends a time without a zone; the console shows times in UTC, so it means UTC
const ZONELESS_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;

/**
 * The list's query string as the search API reads it: the form's "any" choices arrive as empty fields,
 * and its times without a zone.
 */
function toSearchParams(query: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of query) {
    if (value === '') continue;
    params.set(name, (name === 'from' || name === 'to') && ZONELESS_TIME.test(value) ? `${value}Z` : value);
  }
  return params;
}

/**
 * `GET /api/logs`: the web console's list of runs, searched as `GET /api/executions` searches (status,
 * schema, worker, trigger, from-to, free text), paged, with the runs waiting for approval on top.
 */
export function executionsPageFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'LogsPage',
    { route: 'logs', methods: ['GET'], authLevel: 'anonymous', role: 'viewer', renderError },
    async ({ request, services: { storage, settings } }) => {
      const params = toSearchParams(request.query);
      const search = parseExecutionSearch(params);
      const now = new Date();
      // three independent reads: the page costs the slowest of them, not their sum
      const [page, pending, workerRows] = await Promise.all([
        listExecutionsPage(storage, toExecutionQuery(search)),
        storage.executions.listPending(50),
        storage.workers.list(),
      ]);
      const workers = workerRows.map((w) => ({
        ...w,
        alive: now.getTime() - Date.parse(w.lastSeen) <= settings.staleWorkerMs,
      }));
      const { status, schema, worker, trigger, from, to, q } = search;
      const rendered = renderExecutionsPage({
        workers,
        executions: page.executions,
        // the page size stays out of links unless the caller chose one
        filter: { status, schema, worker, trigger, from, to, q, limit: params.has('limit') ? search.limit : undefined },
        continuation: search.continuation,
        nextContinuation: page.continuationToken,
        scannedRows: page.scannedRows,
        now,
        waiting: stillWaiting(pending, now),
      });
      return htmlResponse(200, rendered);
    },
  );
}

const PageQuery = z.object({
  /** Show the part of the log that ends at this byte (the "Show earlier output" link without script). */
  before: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

/**
 * `GET /api/logs/{execId}`: one run, the end of its log (or the part `?before=` asks for), the Cancel and
 * Re-run buttons for an operator; it follows the run live until it ends.
 */
export function executionPageFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'LogPage',
    { route: 'logs/{execId}', methods: ['GET'], authLevel: 'anonymous', role: 'viewer', renderError },
    async ({ request, caller, services: { storage, formKey } }) => {
      const { before } = PageQuery.parse(Object.fromEntries(request.query));
      const execution = await loadExecution(storage, request);
      // row first, then log: a worker finishes the log before it writes a final status, so a page that
      // stops reloading always shows the whole log
      const part = await storage.logs.readPart(execution.execId, (size) => logWindow(size, before));
      const shown = part && startAtLine(part.data, part.start);
      const rights = decisionRights(execution, caller);
      const { execId } = execution;
      const approval = execution.approval && {
        approveRefusal: rights.approve?.error ?? null,
        rejectRefusal: rights.reject?.error ?? null,
        formToken: formToken(formKey, caller.id, execId),
      };
      // a viewer gets no token, hence no button; the routes refuse them anyway
      const isOperator = hasRole(caller, 'operator');
      const actions = {
        cancelToken:
          isOperator && isCancellable(execution) ? formToken(formKey, caller.id, execId, 'cancel-form') : null,
        rerunToken: isOperator && isRerunnable(execution) ? formToken(formKey, caller.id, execId, 'rerun-form') : null,
      };
      const rendered = renderExecutionPage({
        execution,
        log: part &&
          shown && {
            text: Buffer.from(shown.data).toString('utf8'),
            start: shown.start,
            end: part.end,
            size: part.size,
          },
        now: new Date(),
        approval,
        actions,
      });
      return htmlResponse(200, rendered);
    },
  );
}
