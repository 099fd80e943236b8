import { renderAuditPage } from '../ui/index.js';
import { AuditQuery, listAudit } from './audit.js';
import { defineHttp } from './definitions.js';
import { htmlResponse, renderError } from './http/html-page.js';
import type { ServicesProvider } from './services.js';

const DAY_MS = 86_400_000;
const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `GET /api/console/audit?action=&actor=&target=&from=&to=&continuation=` (admin): the audit log, paged. */
export function auditPageFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'AuditPage',
    { route: 'console/audit', methods: ['GET'], authLevel: 'anonymous', role: 'admin', renderError },
    async ({ request, services: { storage } }) => {
      // the filter form submits its empty fields too
      const given = Object.fromEntries([...request.query].filter(([, v]) => v.trim() !== ''));
      const query = AuditQuery.parse(given);
      // a person typing "to 2026-05-01" means that whole day, not its first millisecond
      const to = query.to !== undefined && BARE_DATE.test(given.to ?? '') ? query.to + DAY_MS - 1 : query.to;
      const page = await listAudit(storage, { ...query, to });
      const rendered = renderAuditPage({
        entries: page.entries,
        filter: {
          action: given.action,
          actor: given.actor,
          target: given.target,
          from: given.from,
          to: given.to,
          limit: given.limit,
        },
        continuation: query.continuation,
        nextContinuation: page.continuationToken,
      });
      return htmlResponse(200, rendered);
    },
  );
}
