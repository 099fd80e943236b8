import { z } from 'zod';
import { isLoopbackHost } from './loopback.js';
import type { EnvShape } from './setting-values.js';
import { described, Millis, Url } from './setting-values.js';

const HOUR_MS = 3_600_000;

/** ClouDO as an OIDC issuer (workload-identity federation): where it is, and the key it signs with. */
export const OidcEnv = {
  CLOUDO_OIDC_ISSUER: described(
    Url('CLOUDO_OIDC_ISSUER').optional(),
    'public URL of ClouDO as an OIDC issuer, https (http only on loopback); Entra reads `<issuer>/.well-known/openid-configuration` (default `CLOUDO_PUBLIC_URL` + `/api`)',
  ),
  CLOUDO_OIDC_KEY_ID: described(
    Url('CLOUDO_OIDC_KEY_ID').optional(),
    'versionless Key Vault key id (`https://<vault>.vault.azure.net/keys/<name>`, RSA 2048+) that signs run tokens through the keys API; unset: a key file (`CLOUDO_OIDC_KEY_FILE`), for one machine only',
  ),
  CLOUDO_OIDC_KEY_FILE: described(
    z.string().min(1).default('.cloudo/oidc-signing-keys.json'),
    'file holding the local signing keys (created on first use, mode 0600) when `CLOUDO_OIDC_KEY_ID` is unset',
  ),
  CLOUDO_OIDC_KEY_GRACE_MS: described(
    // at least an hour: a retired key must outlive the longest token (15 min) and verifiers' cached key sets
    Millis('CLOUDO_OIDC_KEY_GRACE_MS', HOUR_MS, 30 * 24 * HOUR_MS).default(24 * HOUR_MS),
    'a retired signing key stays in the JWKS this long after its successor is created',
  ),
} satisfies EnvShape;

type OidcValues = z.output<z.ZodObject<typeof OidcEnv>>;

/** Where the signing key lives: a Key Vault key (production), or a file on this machine. */
export type OidcKeySource =
  | { readonly kind: 'key-vault'; readonly vaultUrl: string; readonly keyName: string }
  | { readonly kind: 'file'; readonly path: string };

export interface OidcSettings {
  /**
   * The `iss` of every token and the base of the discovery routes; null when none can be derived (a
   * non-loopback http `CLOUDO_PUBLIC_URL`): the routes then answer 404 naming the setting.
   */
  readonly issuer: string | null;
  /** Why `issuer` is null (the fix to make); null when it is set. */
  readonly issuerProblem: string | null;
  readonly key: OidcKeySource;
  /** How long a retired key stays in the JWKS. */
  readonly graceMs: number;
}

/** The OIDC settings; an explicit setting that is wrong is a problem, a derived issuer that cannot be one is not. */
export function oidcSettings(v: OidcValues, publicUrl: string, problems: string[]): OidcSettings {
  let issuer: string | null = null;
  let issuerProblem: string | null = null;
  if (v.CLOUDO_OIDC_ISSUER !== undefined) {
    const problem = issuerUrlProblem(v.CLOUDO_OIDC_ISSUER);
    if (problem) problems.push(`CLOUDO_OIDC_ISSUER ${problem}`);
    else issuer = v.CLOUDO_OIDC_ISSUER.replace(/\/+$/, '');
  } else {
    const derived = `${publicUrl.replace(/\/+$/, '')}/api`;
    const problem = issuerUrlProblem(derived);
    // existing deployments with an http public URL keep starting: only the issuer is off, and says why
    if (problem)
      issuerProblem = `no OIDC issuer: CLOUDO_PUBLIC_URL + /api (${derived}) ${problem}; set CLOUDO_OIDC_ISSUER`;
    else issuer = derived;
  }
  return { issuer, issuerProblem, key: keySource(v, problems), graceMs: v.CLOUDO_OIDC_KEY_GRACE_MS };
}

/** Why `url` cannot be an issuer Entra accepts, or null. */
function issuerUrlProblem(url: string): string | null {
  const u = new URL(url);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackHost(u.hostname))) {
    return `must be https (http only on loopback): "${url}"`;
  }
  // Entra compares `iss` with the discovery document's issuer as a string: no query, fragment or credentials
  if (u.search || u.hash || u.username || u.password)
    return `must be a plain URL without query, fragment or user: "${url}"`;
  return null;
}

function keySource(v: OidcValues, problems: string[]): OidcKeySource {
  const keyId = v.CLOUDO_OIDC_KEY_ID;
  if (keyId === undefined) return { kind: 'file', path: v.CLOUDO_OIDC_KEY_FILE };
  const u = new URL(keyId);
  const parts = u.pathname.split('/').filter(Boolean);
  if (u.protocol !== 'https:' || parts.length !== 2 || parts[0] !== 'keys') {
    // a version pins the key, and rotation (a new version) would never be picked up
    problems.push(
      `CLOUDO_OIDC_KEY_ID must be a versionless key id, https://<vault>.vault.azure.net/keys/<name>: "${keyId}"`,
    );
  }
  return { kind: 'key-vault', vaultUrl: u.origin, keyName: parts[1] ?? '' };
}
