import { z } from 'zod';

/**
 * Roles, each including the ones before it: a viewer reads; an operator also triggers, cancels and
 * approves; an admin also manages schemas, settings and tokens.
 */
export const Role = z.enum(['viewer', 'operator', 'admin']);
export type Role = z.infer<typeof Role>;

const RANK: Readonly<Record<Role, number>> = { viewer: 1, operator: 2, admin: 3 };

/** Who is calling, resolved once per request by the auth module. */
export interface Caller {
  /**
   * How the caller proved itself: a Functions key checked by the host, a person signed in through App
   * Service Authentication, a ClouDO API token, an Entra-signed webhook (Azure Monitor Secure Webhook),
   * nobody on purpose (the local stack with `CLOUDO_LOCAL_AUTH=off`), or nobody at all (public routes).
   */
  readonly kind: 'function-key' | 'user' | 'token' | 'webhook' | 'local' | 'anonymous';
  /** Stable identity for the audit log: user principal name, token id, app id, Functions key name... */
  readonly id: string;
  readonly roles: readonly Role[];
  /**
   * Who the caller speaks for, as approval policies name people: `user:<upn>` for a signed-in person,
   * `user:<owner>` for an API token (its owner), `app:<app id>` for a webhook, `key:<name>` or
   * `key:sha256:<12 hex>` for a Functions key (see function-key.ts); `local` on the local stack with access
   * control off. Lower-case.
   */
  readonly principal: string;
  /** Entra app roles (`role:<value>`) and groups (`group:<object id>`) of a signed-in person, lower-case. */
  readonly memberships: readonly string[];
}

/** True when one of the caller's roles is at least `required`. */
export function hasRole(caller: Caller, required: Role): boolean {
  return caller.roles.some((role) => RANK[role] >= RANK[required]);
}

/** The highest role among `roles`, or null. */
export function highestRole(roles: readonly Role[]): Role | null {
  return roles.reduce<Role | null>((best, role) => (best === null || RANK[role] > RANK[best] ? role : best), null);
}
