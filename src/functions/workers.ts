import { defineHttp } from './definitions.js';
import type { ServicesProvider } from './services.js';

/** `GET /api/workers` (viewer): every worker process that heartbeats, and whether it still does. */
export function listWorkersFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'ListWorkers',
    { route: 'workers', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ services: { storage, settings } }) => {
      const now = Date.now();
      const workers = (await storage.workers.list()).map((w) => ({
        capability: w.capability,
        worker_id: w.workerId,
        host: w.host,
        version: w.version,
        concurrency: w.concurrency,
        runbook_isolation: w.runbookIsolation,
        running_runs: w.runningRuns,
        started_at: w.startedAt,
        last_seen: w.lastSeen,
        alive: now - Date.parse(w.lastSeen) <= settings.staleWorkerMs,
      }));
      return { jsonBody: { workers } };
    },
  );
}
