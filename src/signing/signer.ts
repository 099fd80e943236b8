import type { Jwks } from '../core/oidc-discovery.js';

/** One signing key, fixed at the moment it was asked for: a rotation in between cannot mismatch `kid`. */
export interface SigningKey {
  /** The `kid` of the token header and of this key's entry in the JWKS. */
  readonly kid: string;
  /** RS256 signature (RSASSA-PKCS1-v1_5 over SHA-256) of the JWT signing input. */
  sign(signingInput: string): Promise<Uint8Array>;
}

/**
 * Where ClouDO's issuer key lives: a file on one machine, or a non-exportable Key Vault key. The issuer
 * needs only the current key and the public keys verifiers may still meet.
 */
export interface Signer {
  /** The key new tokens are signed with (created on first use where the adapter can). */
  currentKey(): Promise<SigningKey>;
  /** The current public key first, then retired ones still within the grace period. */
  publicJwks(): Promise<Jwks>;
}
