import { z } from 'zod';

/** Where the discovery document and the keys live under an issuer (OpenID Connect Discovery 1.0 §4). */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/.well-known/jwks.json';

/** An RSA public key as a verifier reads it from the JWKS (RFC 7517), with the `kid` tokens name. */
export const PublicJwk = z.object({
  kty: z.literal('RSA'),
  /** Modulus and exponent, base64url without padding. */
  n: z.string().regex(/^[A-Za-z0-9_-]+$/),
  e: z.string().regex(/^[A-Za-z0-9_-]+$/),
  kid: z.string().min(1),
  alg: z.literal('RS256'),
  use: z.literal('sig'),
});
export type PublicJwk = z.infer<typeof PublicJwk>;

/** The key set: the current key first, then retired keys still inside their grace period. */
export const Jwks = z.object({ keys: z.array(PublicJwk) });
export type Jwks = z.infer<typeof Jwks>;

/** What Entra reads at `<issuer>/.well-known/openid-configuration` before it trusts a token of ours. */
export const DiscoveryDocument = z.object({
  issuer: z.url(),
  jwks_uri: z.url(),
  response_types_supported: z.array(z.string()),
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
});
export type DiscoveryDocument = z.infer<typeof DiscoveryDocument>;

/** The discovery document of `issuer` (no trailing slash). */
export function discoveryDocument(issuer: string): DiscoveryDocument {
  return DiscoveryDocument.parse({
    issuer,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    // ClouDO is no sign-in provider: it only mints ID-token-shaped assertions for federation
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  });
}

/** A public RSA key `{n, e}` as the JWKS lists it. */
export function toPublicJwk(kid: string, key: { readonly n: string; readonly e: string }): PublicJwk {
  return PublicJwk.parse({ kty: 'RSA', n: key.n, e: key.e, kid, alg: 'RS256', use: 'sig' });
}

/**
 * Which retired keys the JWKS still lists: a key retires when its successor is created, and stays until
 * `graceMs` after that, so a token it signed (and a verifier's cached key set) outlives the rotation.
 */
export function isWithinGrace(retiredAtMs: number, nowMs: number, graceMs: number): boolean {
  return nowMs - retiredAtMs < graceMs;
}
