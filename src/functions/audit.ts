import { z } from 'zod';
import { AuditAction } from '../core/audit.js';
import type { Storage } from '../storage/index.js';
import { defineHttp } from './definitions.js';
import { withContinuation } from './http/errors.js';
import { checkRangeOrder, IsoTimeParam } from './http/time-range.js';
import type { ServicesProvider } from './services.js';

/** The audit log's filters, for the API and the console's page alike. */
export const AuditQuery = z
  .object({
    action: AuditAction.optional(),
    actor: z.string().min(1).max(256).optional(),
    target: z.string().min(1).max(256).optional(),
    /** Recorded at or after / at or before, ISO times (`2026-05-01` = midnight UTC). */
    from: IsoTimeParam.optional(),
    to: IsoTimeParam.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    continuation: z.string().max(4096).optional(),
  })
  .superRefine(checkRangeOrder);
export type AuditQuery = z.infer<typeof AuditQuery>;

/** One page of the audit log for parsed filters; a stale or foreign `continuation` is a 400. */
export function listAudit(storage: Storage, query: AuditQuery) {
  return withContinuation(query.continuation, () =>
    storage.audit.list({
      action: query.action,
      actorId: query.actor,
      target: query.target,
      fromMs: query.from,
      toMs: query.to,
      limit: query.limit,
      continuationToken: query.continuation,
    }),
  );
}

/** `GET /api/audit` (admin): who did what, newest first, filtered by action, actor, target and time. */
export function auditFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'Audit',
    { route: 'audit', methods: ['GET'], authLevel: 'anonymous', role: 'admin' },
    async ({ request, services: { storage } }) => {
      const query = AuditQuery.parse(Object.fromEntries(request.query));
      const page = await listAudit(storage, query);
      return { jsonBody: { entries: page.entries, continuation: page.continuationToken } };
    },
  );
}
