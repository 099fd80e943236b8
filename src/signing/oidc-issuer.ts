import { randomUUID } from 'node:crypto';
import type { DiscoveryDocument, Jwks } from '../core/oidc-discovery.js';
import { discoveryDocument } from '../core/oidc-discovery.js';
import type { RunTokenRequest } from '../core/oidc-token.js';
import { compactJwt, jwtSigningInput, runTokenClaims } from '../core/oidc-token.js';
import type { Signer } from './signer.js';

export interface OidcIssuerOptions {
  /** The `iss` of every token: ClouDO's public URL + `/api`, no trailing slash. */
  readonly issuer: string;
  readonly signer: Signer;
  /** The clock (default Date.now). */
  readonly now?: () => number;
}

/** A run's token and when it stops being accepted. */
export interface IssuedToken {
  readonly token: string;
  readonly expiresOn: Date;
}

/**
 * ClouDO as an OIDC issuer: mints a run's short-lived token for Entra's workload-identity federation,
 * and serves what Entra needs to verify it (discovery document, key set).
 */
export class OidcIssuer {
  private readonly now: () => number;

  constructor(private readonly options: OidcIssuerOptions) {
    if (!options.issuer || options.issuer.endsWith('/'))
      throw new Error('issuer must be set, without a trailing slash');
    this.now = options.now ?? Date.now;
  }

  get issuer(): string {
    return this.options.issuer;
  }

  /** Signs a token for one run; a wrong request field throws a ZodError naming it (a 400 for a caller). */
  async issue(request: RunTokenRequest): Promise<IssuedToken> {
    const claims = runTokenClaims(this.options.issuer, request, this.now(), randomUUID());
    const key = await this.options.signer.currentKey();
    const input = jwtSigningInput({ alg: 'RS256', typ: 'JWT', kid: key.kid }, claims);
    return { token: compactJwt(input, await key.sign(input)), expiresOn: new Date(claims.exp * 1000) };
  }

  discovery(): DiscoveryDocument {
    return discoveryDocument(this.options.issuer);
  }

  jwks(): Promise<Jwks> {
    return this.options.signer.publicJwks();
  }
}
