import { z } from 'zod';
import { AuditAction } from '../core/audit.js';
import { defineHttp } from './definitions.js';
import { withContinuation } from './http/errors.js';
import type { ServicesProvider } from './services.js';

const AuditQuery = z.object({
  action: AuditAction.optional(),
  actor: z.string().min(1).max(256).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  continuation: z.string().max(4096).optional(),
});

/** `GET /api/audit` (admin): who did what, newest first, filtered by `action` and `actor`. */
export function auditFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'Audit',
    { route: 'audit', methods: ['GET'], authLevel: 'anonymous', role: 'admin' },
    async ({ request, services: { storage } }) => {
      const query = AuditQuery.parse(Object.fromEntries(request.query));
      const page = await withContinuation(query.continuation, () =>
        storage.audit.list({
          action: query.action,
          actorId: query.actor,
          limit: query.limit,
          continuationToken: query.continuation,
        }),
      );
      return { jsonBody: { entries: page.entries, continuation: page.continuationToken } };
    },
  );
}
