import { describeSettings } from '../core/masked-settings.js';
import { defineHttp } from './definitions.js';
import type { ServicesProvider } from './services.js';

/** `GET /api/settings` (admin): the effective settings, secrets masked. */
export function settingsFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'Settings',
    { route: 'settings', methods: ['GET'], authLevel: 'anonymous', role: 'admin' },
    async ({ services: { settings } }) => ({ jsonBody: describeSettings(settings) }),
  );
}
