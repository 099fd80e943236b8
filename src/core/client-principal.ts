import { z } from 'zod';
import type { Role } from './access.js';

/**
 * The `x-ms-client-principal` header App Service Authentication (Easy Auth) adds after signing a person
 * in: base64 of `{ auth_typ, name_typ, role_typ, claims: [{ typ, val }] }`. Only trustworthy where the
 * platform strips any client-sent copy, which is why reading it is a setting.
 */
const ClientPrincipal = z.object({
  auth_typ: z.string(),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })).max(500),
});

const NAME_CLAIMS = [
  'preferred_username',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  'upn',
  'email',
  'name',
  'http://schemas.microsoft.com/identity/claims/objectidentifier',
  'oid',
];

/** Entra app roles named `viewer`, `operator`, `admin`, optionally prefixed `ClouDO.` (case-insensitive). */
function toRole(value: string): Role | null {
  const name = value.toLowerCase().replace(/^cloudo\./, '');
  return name === 'viewer' || name === 'operator' || name === 'admin' ? name : null;
}

export type PrincipalResult =
  | {
      ok: true;
      id: string;
      roles: Role[];
      /** Every app role (`role:<value>`) and group (`group:<object id>`) claim, lower-case: what approvers name. */
      memberships: string[];
    }
  | { ok: false; reason: string };

const GROUP_CLAIMS = new Set(['groups', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups']);

export function parseClientPrincipal(header: string): PrincipalResult {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return { ok: false, reason: 'x-ms-client-principal is not base64 JSON' };
  }
  const parsed = ClientPrincipal.safeParse(decoded);
  if (!parsed.success) return { ok: false, reason: 'x-ms-client-principal has an unexpected shape' };
  const { claims, name_typ: nameType, role_typ: roleType } = parsed.data;
  const claim = (type: string) => claims.find((c) => c.typ === type)?.val;
  const id = [nameType, ...NAME_CLAIMS].flatMap((t) => (t ? [claim(t)] : [])).find((v) => v !== undefined && v !== '');
  if (!id) return { ok: false, reason: 'x-ms-client-principal names nobody' };
  const roleTypes = new Set([
    'roles',
    'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
    roleType ?? 'roles',
  ]);
  const roleValues = claims.filter((c) => roleTypes.has(c.typ)).map((c) => c.val);
  const roles = [...new Set(roleValues.flatMap((value) => toRole(value) ?? []))];
  const memberships = [
    ...new Set([
      ...roleValues.map((value) => `role:${value.toLowerCase()}`),
      ...claims.filter((c) => GROUP_CLAIMS.has(c.typ)).map((c) => `group:${c.val.toLowerCase()}`),
    ]),
  ];
  return { ok: true, id, roles, memberships };
}
