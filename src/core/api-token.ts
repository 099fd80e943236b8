import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Role } from './access.js';

/**
 * API tokens for automation: `cloudo_<id>_<secret>`. The id (public, 12 hex) finds the row; the secret
 * (256 random bits) is shown once and stored only as its SHA-256, which is enough for a random secret:
 * there is nothing to guess a dictionary from.
 */
const TOKEN_PATTERN = /^cloudo_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export const TokenId = z.string().regex(/^[0-9a-f]{12}$/, 'must be a token id (12 hex digits)');

/** A token as stored: never the secret itself. */
export const ApiTokenRecord = z.object({
  id: TokenId,
  /** SHA-256 of the secret, hex. */
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  role: Role,
  /** Who the token belongs to (a person or a system), shown in the audit log. */
  owner: z.string().min(1).max(128),
  description: z.string().max(500),
  createdAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
  lastUsedAt: z.iso.datetime({ offset: true }).nullable(),
  revokedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type ApiTokenRecord = z.infer<typeof ApiTokenRecord>;

export interface IssuedToken {
  /** The full token: give it to its owner once, it cannot be shown again. */
  readonly token: string;
  readonly record: ApiTokenRecord;
}

export function issueApiToken(input: {
  role: Role;
  owner: string;
  description?: string;
  expiresAt: Date | null;
  now?: Date;
}): IssuedToken {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return {
    token: `cloudo_${id}_${secret}`,
    record: ApiTokenRecord.parse({
      id,
      secretHash: hashSecret(secret),
      role: input.role,
      owner: input.owner,
      description: input.description ?? '',
      createdAt: (input.now ?? new Date()).toISOString(),
      expiresAt: input.expiresAt?.toISOString() ?? null,
      lastUsedAt: null,
      revokedAt: null,
    }),
  };
}

/** The record of a token that already exists (the local stack keeps its admin token in a file). */
export function apiTokenRecordFor(
  token: string,
  input: { role: Role; owner: string; description?: string; now?: Date },
): ApiTokenRecord | null {
  const parsed = parseApiToken(token);
  if (!parsed) return null;
  return ApiTokenRecord.parse({
    id: parsed.id,
    secretHash: hashSecret(parsed.secret),
    role: input.role,
    owner: input.owner,
    description: input.description ?? '',
    createdAt: (input.now ?? new Date()).toISOString(),
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
  });
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Splits a presented token into its id and secret; null when it is not shaped like one of ours. */
export function parseApiToken(token: string): { id: string; secret: string } | null {
  const m = TOKEN_PATTERN.exec(token);
  return m?.[1] && m[2] ? { id: m[1], secret: m[2] } : null;
}

export type TokenCheck = { ok: true } | { ok: false; reason: 'revoked' | 'expired' | 'wrong secret' };

/** Checks a presented secret against its record, in constant time. */
export function checkApiToken(record: ApiTokenRecord, secret: string, now: Date = new Date()): TokenCheck {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(record.secretHash, 'hex');
  if (!timingSafeEqual(presented, stored)) return { ok: false, reason: 'wrong secret' };
  if (record.revokedAt) return { ok: false, reason: 'revoked' };
  if (record.expiresAt && Date.parse(record.expiresAt) <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true };
}
