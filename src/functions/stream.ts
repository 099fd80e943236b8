import { z } from 'zod';
import { LIVE_LOG_SCRIPT } from '../ui/index.js';
import { defineHttp } from './definitions.js';
import { loadExecution } from './executions.js';
import { HttpError } from './http/errors.js';
import type { Reservation } from './http/stream-slots.js';
import type { ServicesProvider } from './services.js';

const Offset = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * Seconds a refused client is asked to wait. A slot frees when a run ends, a viewer leaves or a stream
 * reaches its 4-minute limit: half a minute is a fraction of the longest wait, and no hammering.
 */
const RETRY_AFTER_SECONDS = 30;

function tooManyStreams(refusal: Extract<Reservation, { ok: false }>): HttpError {
  const message =
    refusal.cap === 'per-caller'
      ? `too many live-log streams: you already follow ${refusal.limit}, the most one caller may ` +
        '(CLOUDO_STREAMS_PER_CALLER); close one, or retry later'
      : `too many live-log streams: this instance already serves ${refusal.limit}, the most it serves at once ` +
        '(CLOUDO_STREAMS_TOTAL); retry later';
  return new HttpError(429, message, { 'retry-after': String(RETRY_AFTER_SECONDS) });
}

/**
 * `GET /api/executions/{execId}/stream` (viewer): the log as it is written, as Server-Sent Events, then
 * the final status. Starts at `?offset=` bytes, or at `Last-Event-ID` when a browser reconnects. A caller
 * beyond its cap of streams, or anyone beyond the instance's, gets 429 with Retry-After.
 */
export function streamExecutionLogFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'StreamExecutionLog',
    { route: 'executions/{execId}/stream', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, caller, services: { storage, liveLogs } }) => {
      const resumeFrom = request.headers.get('last-event-id') ?? request.query.get('offset') ?? '0';
      const offset = z.object({ offset: Offset }).parse({ offset: resumeFrom }).offset;
      const reservation = liveLogs.reserve(caller.principal);
      if (!reservation.ok) throw tooManyStreams(reservation);
      try {
        const execution = await loadExecution(storage, request);
        return {
          body: liveLogs.open(reservation.slot, execution.execId, offset),
          headers: {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-cache',
            // proxies must not hold the events back
            'x-accel-buffering': 'no',
          },
        };
      } catch (err) {
        reservation.slot.release();
        throw err;
      }
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
