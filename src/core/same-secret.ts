import { timingSafeEqual } from 'node:crypto';

/**
 * Whether a presented secret (a key, a MAC, a token) equals the expected one, in time that does not
 * depend on where they differ. Only the length may show, and a secret's length is no secret.
 */
export function sameSecret(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
