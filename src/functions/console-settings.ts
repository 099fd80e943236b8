import { describeSettings } from '../core/masked-settings.js';
import { renderSettingsPage } from '../ui/index.js';
import { defineHttp } from './definitions.js';
import { htmlResponse, renderError } from './http/html-page.js';
import type { ServicesProvider } from './services.js';

/** `GET /api/console/settings` (admin): what `GET /api/settings` shows, secrets masked, as a page. */
export function settingsPageFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'SettingsPage',
    { route: 'console/settings', methods: ['GET'], authLevel: 'anonymous', role: 'admin', renderError },
    async ({ services: { settings } }) => htmlResponse(200, renderSettingsPage(describeSettings(settings))),
  );
}
