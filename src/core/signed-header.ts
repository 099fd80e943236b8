import { createHmac, randomBytes } from 'node:crypto';
import { sameSecret } from './same-secret.js';

/**
 * The one shape of ClouDO's shared-key request headers (wake-up nudges, workers' calls to the app):
 * `v1.<unix ms>.<16 hex nonce>.<base64url HMAC-SHA256>`, the HMAC over `v1`, the request's `fields`, the
 * moment and the nonce, one per line. The fields bind a header to what it is for (a capability, a method
 * and path), so one captured for one purpose is worth nothing for another.
 */
const HEADER = /^v1\.(\d{13})\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

/** How far a header's moment may be from the checker's clock, either way (clock skew plus transit). */
export const SIGNED_HEADER_WINDOW_MS = 30_000;

function sign(key: string, fields: readonly string[], at: number, nonce: string): string {
  return createHmac('sha256', key)
    .update(['v1', ...fields, String(at), nonce].join('\n'))
    .digest('base64url');
}

/** The header value for `fields`, made at `now`. */
export function signHeader(key: string, fields: readonly string[], now: number = Date.now()): string {
  const nonce = randomBytes(8).toString('hex');
  return `v1.${now}.${nonce}.${sign(key, fields, now, nonce)}`;
}

export type SignedHeaderCheck =
  | { readonly ok: true; readonly nonce: string; readonly at: number }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'expired' | 'bad-signature' };

/** Whether `presented` is a fresh header for `fields` signed with `key` (constant-time compare). */
export function checkSignedHeader(
  key: string,
  fields: readonly string[],
  presented: string | undefined | null,
  now: number = Date.now(),
): SignedHeaderCheck {
  if (!presented) return { ok: false, reason: 'missing' };
  const m = HEADER.exec(presented);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, atText = '', nonce = '', given = ''] = m;
  const at = Number(atText);
  if (Math.abs(now - at) > SIGNED_HEADER_WINDOW_MS) return { ok: false, reason: 'expired' };
  if (!sameSecret(sign(key, fields, at, nonce), given)) return { ok: false, reason: 'bad-signature' };
  return { ok: true, nonce, at };
}
