import { defineHttp } from './definitions.js';
import type { ServicesProvider } from './services.js';

/** `GET /api/healthz`: 200 when every storage service answers, 503 otherwise. Public: it says nothing else. */
export function healthFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'Health',
    { route: 'healthz', methods: ['GET'], authLevel: 'anonymous', role: 'public' },
    async ({ services: app }) => {
      const storage = await app.storage.ping();
      const healthy = storage.table && storage.queue && storage.blob;
      return { status: healthy ? 200 : 503, jsonBody: { status: healthy ? 'ok' : 'degraded', storage } };
    },
  );
}
