import type { HttpRequest, InvocationContext } from '@azure/functions';
import type { Caller } from '../../core/access.js';
import type { AuditAction } from '../../core/audit.js';
import type { Storage } from '../../storage/index.js';

/**
 * The client address as the platform saw it. Azure's front end appends the real peer to
 * x-forwarded-for, so the last entry is the one a client cannot forge.
 */
export function clientAddress(request: HttpRequest): string {
  const forwarded = request.headers.get('x-forwarded-for');
  const last = forwarded?.split(',').pop()?.trim();
  return last ? last.slice(0, 128) : 'unknown';
}

/**
 * Records an action in the audit log. Called after the action took effect; if the audit write fails the
 * action stands (undoing a queued run would be worse) and the entry goes to the function log instead.
 */
export async function audit(
  storage: Storage,
  context: InvocationContext,
  entry: {
    caller: Caller;
    request: HttpRequest;
    action: AuditAction;
    target: string;
    details?: Record<string, string>;
  },
): Promise<void> {
  const record = {
    at: new Date().toISOString(),
    action: entry.action,
    actorKind: entry.caller.kind,
    actorId: entry.caller.id,
    from: clientAddress(entry.request),
    target: entry.target,
    details: entry.details ?? {},
  };
  try {
    await storage.audit.record(record);
  } catch (err) {
    context.error(`audit entry not stored: ${JSON.stringify(record)}`, err);
  }
}
