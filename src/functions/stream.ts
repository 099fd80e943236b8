import { z } from 'zod';
import { LIVE_LOG_SCRIPT } from '../ui/index.js';
import { defineHttp } from './definitions.js';
import { loadExecution } from './executions.js';
import { logEventStream } from './http/log-stream.js';
import type { ServicesProvider } from './services.js';

const Offset = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * `GET /api/executions/{execId}/stream` (viewer): the log as it is written, as Server-Sent Events, then
 * the final status. Starts at `?offset=` bytes, or at `Last-Event-ID` when a browser reconnects.
 */
export function streamExecutionLogFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'StreamExecutionLog',
    { route: 'executions/{execId}/stream', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, services: { storage } }) => {
      const execution = await loadExecution(storage, request);
      const resumeFrom = request.headers.get('last-event-id') ?? request.query.get('offset') ?? '0';
      const offset = z.object({ offset: Offset }).parse({ offset: resumeFrom }).offset;
      return {
        body: logEventStream({ storage, execId: execution.execId, offset }),
        headers: {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          // proxies must not hold the events back
          'x-accel-buffering': 'no',
        },
      };
    },
  );
}

/** `GET /api/assets/live-log.js`: the console's one script, same-origin so the CSP can forbid inline code. */
export function liveLogScriptFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'LiveLogScript',
    { route: 'assets/live-log.js', methods: ['GET'], authLevel: 'anonymous', role: 'public' },
    async () => ({
      body: LIVE_LOG_SCRIPT,
      headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' },
    }),
  );
}
