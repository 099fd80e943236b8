import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { ExecId } from '../core/execution.js';
import { stripTerminalControls } from '../core/terminal-text.js';
import type { ExecutionPage, ExecutionQuery, Storage } from '../storage/index.js';
import { defineHttp } from './definitions.js';
import { HttpError, withContinuation } from './http/errors.js';
import { parseExecutionSearch, toExecutionQuery } from './http/execution-search.js';
import { toExecutionResource } from './http/resources.js';
import type { ServicesProvider } from './services.js';

/** Parses `{execId}` and loads the run, or answers 400 / 404. */
export async function loadExecution(storage: Storage, request: HttpRequest) {
  const execId = z.object({ execId: ExecId }).parse(request.params).execId;
  const found = await storage.executions.get(execId);
  if (!found) throw new HttpError(404, `no execution with id "${execId}"`);
  return found.execution;
}

/** One page of runs; a continuation token we did not issue is the caller's mistake (400), not a 500. */
export function listExecutionsPage(storage: Storage, query: ExecutionQuery): Promise<ExecutionPage> {
  return withContinuation(query.continuationToken, () => storage.executions.list(query));
}

/**
 * `GET /api/executions`: newest first, filtered by `status`, `schema`, `worker`, `trigger`, a `from`-`to`
 * range and free text `q`, paged by `continuation`. `scanned_rows` says how many rows the page read: with
 * `q` a page reads at most 1000, so it may hold fewer runs than `limit` and still have a continuation.
 */
export function listExecutionsFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'ListExecutions',
    { route: 'executions', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, services: { storage } }) => {
      const page = await listExecutionsPage(storage, toExecutionQuery(parseExecutionSearch(request.query)));
      const now = new Date();
      return {
        jsonBody: {
          executions: page.executions.map((e) => toExecutionResource(e, now)),
          continuation: page.continuationToken,
          scanned_rows: page.scannedRows,
        },
      };
    },
  );
}

/** `GET /api/executions/{execId}`. */
export function getExecutionFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'GetExecution',
    { route: 'executions/{execId}', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, services: { storage } }) => ({
      jsonBody: toExecutionResource(await loadExecution(storage, request)),
    }),
  );
}

const Bytes = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const LogQuery = z.object({
  raw: z.enum(['0', '1', 'true', 'false']).optional(),
  /** First byte to send; default 0. */
  offset: Bytes.optional(),
  /** Bytes to send from `offset`; default: to the end. */
  length: Bytes.optional(),
  /** Sent as a file to save (`content-disposition: attachment`), not shown. */
  download: z.enum(['0', '1', 'true', 'false']).optional(),
});
const isSet = (flag: string | undefined) => flag === '1' || flag === 'true';

/**
 * `GET /api/executions/{execId}/log`: the log as text (empty until the run writes something), with every
 * terminal escape but colours removed, since runbooks echo alert text to whoever `curl`s it into a
 * terminal; `?raw=1` returns the exact bytes. `?offset=&length=` sends a byte range (the console pages a
 * 50 MB log by ranges; take them raw, since a range may cut an escape or a character in two), and the
 * `x-cloudo-log-start` / `x-cloudo-log-size` headers say which bytes came of how many. `?download=1`
 * makes it a file to save.
 */
export function getExecutionLogFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'GetExecutionLog',
    { route: 'executions/{execId}/log', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, services: { storage } }) => {
      const query = LogQuery.parse(Object.fromEntries(request.query));
      const execution = await loadExecution(storage, request);
      const offset = query.offset ?? 0;
      const part = await storage.logs.readPart(execution.execId, (size) => ({
        start: offset,
        end: query.length === undefined ? size : offset + query.length,
      }));
      const log = part?.data ?? Buffer.alloc(0);
      const isRaw = isSet(query.raw);
      return {
        body: isRaw ? log : stripTerminalControls(log.toString('utf8')),
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          'x-content-type-options': 'nosniff',
          'x-cloudo-status': execution.status,
          'x-cloudo-log-start': String(part?.start ?? 0),
          'x-cloudo-log-size': String(part?.size ?? 0),
          ...(isSet(query.download)
            ? { 'content-disposition': `attachment; filename="cloudo-${execution.execId}.log"` }
            : {}),
        },
      };
    },
  );
}
