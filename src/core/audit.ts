import { z } from 'zod';

/** What is recorded in the audit log. */
export const AuditAction = z.enum([
  'trigger',
  'cancel',
  'rerun',
  'approve',
  'reject',
  'schema.import',
  'schema.import.rejected',
  'token.issue',
  'token.revoke',
  'settings.change',
  /** A schedule made or replaced through the admin API (`details.origin` api). */
  'schedule.create',
  'schedule.update',
  'schedule.delete',
  /** An admin's override of whether a schedule fires, kept across imports of the schemas file. */
  'schedule.enable',
  'schedule.disable',
  /** The override cleared: the schedule follows what its file or the API declares again. */
  'schedule.override.clear',
]);
export type AuditAction = z.infer<typeof AuditAction>;

/** Who did what, when, from where, to what. */
export const AuditEntry = z.object({
  at: z.iso.datetime({ offset: true }),
  action: AuditAction,
  actorKind: z.enum([
    'function-key',
    'user',
    'token',
    'webhook',
    'local',
    'anonymous',
    'cli',
    'deployment',
    /** A schedule's tick started the run (actorId `schedule:<id>`). */
    'schedule',
  ]),
  actorId: z.string().max(256),
  /** Client address as the platform saw it (x-forwarded-for), or `cli@host`. */
  from: z.string().max(256),
  /** Execution id, schema id, token id... */
  target: z.string().max(256),
  /** A few facts worth keeping (schema id of a run, role of a token...); never a secret. */
  details: z.record(z.string(), z.string().max(1024)),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/**
 * The entry cut to what the log keeps: the audit row records facts, not whole lists, so long targets and
 * detail values (a schema import naming hundreds of ids) are shortened rather than refused.
 */
export function fitAuditEntry(entry: AuditEntry): AuditEntry {
  const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);
  return {
    ...entry,
    from: shorten(entry.from, 256),
    target: shorten(entry.target, 256),
    details: Object.fromEntries(Object.entries(entry.details).map(([k, v]) => [k, shorten(v, 1000)])),
  };
}
