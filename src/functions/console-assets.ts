import { LOCAL_TIMES_SCRIPT, RUNS_REFRESH_SCRIPT } from '../ui/index.js';
import { defineHttp } from './definitions.js';
import type { ServicesProvider } from './services.js';

/**
 * `GET /api/assets/runs-refresh.js`: the executions page's refresh script, same-origin so the CSP can
 * forbid inline code. Public, like the live-log script: it holds no data, only code.
 */
export function runsRefreshScriptFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'RunsRefreshScript',
    { route: 'assets/runs-refresh.js', methods: ['GET'], authLevel: 'anonymous', role: 'public' },
    async () => ({
      body: RUNS_REFRESH_SCRIPT,
      headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' },
    }),
  );
}

/** `GET /api/assets/local-times.js`: shows the times of schedule pages in the reader's zone; code, no data. */
export function localTimesScriptFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'LocalTimesScript',
    { route: 'assets/local-times.js', methods: ['GET'], authLevel: 'anonymous', role: 'public' },
    async () => ({
      body: LOCAL_TIMES_SCRIPT,
      headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' },
    }),
  );
}
