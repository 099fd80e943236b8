import { renderWorkersPage } from '../ui/index.js';
import { defineHttp } from './definitions.js';
import { htmlResponse, renderError } from './http/html-page.js';
import type { ServicesProvider } from './services.js';

/** `GET /api/console/workers` (viewer): the workers page, from the heartbeats in Table Workers. */
export function workersPageFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'WorkersPage',
    { route: 'console/workers', methods: ['GET'], authLevel: 'anonymous', role: 'viewer', renderError },
    async ({ services: { storage, settings } }) => {
      const now = Date.now();
      const workers = (await storage.workers.list()).map((w) => ({
        ...w,
        alive: now - Date.parse(w.lastSeen) <= settings.staleWorkerMs,
      }));
      return htmlResponse(200, renderWorkersPage(workers));
    },
  );
}
