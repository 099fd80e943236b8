import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { isLoopbackHost } from '../core/loopback.js';

/**
 * What a verifier accepts: tokens Entra ID issued in one tenant for one application (the one an Azure Monitor
 * action group's Secure Webhook is configured with), signed with a key Entra publishes.
 */
export interface EntraTokenVerifierOptions {
  /**
   * Directory (tenant) id, a GUID. Tokens must carry it as `tid`; the default issuers and JWKS address are built
   * from it. A domain name (`contoso.onmicrosoft.com`) is refused because tokens carry only the GUID.
   */
  tenantId: string;
  /**
   * Accepted `aud` values, compared exactly: the Application ID URI (`api://<app-id>`) and/or the application
   * (client) id of the app registration the webhook asks tokens for. v1 tokens carry the value the webhook
   * requested (usually the URI), v2 tokens the GUID, so list both when unsure. At least one.
   */
  audiences: readonly string[];
  /**
   * Where the signing keys are published. Default `https://login.microsoftonline.com/<tenantId>/discovery/v2.0/keys`.
   * Must be https (plain http only on loopback, for test servers): keys fetched in clear could be swapped in transit.
   */
  jwksUri?: string;
  /**
   * Accepted `iss` values, compared exactly. Default the tenant's v1 issuer `https://sts.windows.net/<tenantId>/`
   * and v2 issuer `https://login.microsoftonline.com/<tenantId>/v2.0`.
   */
  issuers?: readonly string[];
  /**
   * Caller apps accepted, matched against `appid` (v1) or `azp` (v2), case-insensitively. Default (omitted or
   * empty): any app that can get a token for the audience in this tenant, which unless the app registration
   * requires role assignment is every service principal of the tenant. Azure Monitor action groups call as
   * `461e8683-5575-4561-ac7f-899cc907d62a`.
   */
  allowedAppIds?: readonly string[];
  /** Seconds of clock skew allowed when checking `exp` and `nbf`. Default 60. */
  clockToleranceSeconds?: number;
  /**
   * Milliseconds fetched signing keys are used before they are fetched again (jose's `cacheMaxAge`).
   * Default 600000 (10 minutes).
   */
  jwksCacheMaxAgeMs?: number;
  /**
   * Milliseconds after a fetch during which a token with an unknown `kid` is refused without fetching again
   * (jose's `cooldownDuration`). Default 30000. It bounds how often callers sending made-up key ids make us
   * fetch; a key Entra starts signing with inside this window is accepted once it ends.
   */
  jwksCooldownMs?: number;
  /** Clock for the `exp` and `nbf` checks, for tests. Default the system clock; the key cache always uses it. */
  now?: () => Date;
}

/** The outcome of checking one Authorization header. */
export type TokenVerdict =
  | {
      ok: true;
      subject: {
        /** The calling application's client id, `appid` (v1) or `azp` (v2), in lower case. */
        appId: string;
        /** The calling service principal's object id (`oid`), or null when the token has none. */
        objectId: string | null;
        /** The token's `tid`, which equals the verifier's tenantId. */
        tenantId: string;
        /** App roles the caller holds on the audience app (`roles`); empty when none. */
        roles: string[];
      };
    }
  /** A refused token. `reason` is short, names what is wrong and is safe to return to the caller. */
  | { ok: false; reason: string };

export interface EntraTokenVerifier {
  /**
   * Checks an `Authorization` header value (`Bearer <JWT>`; null when absent). Refusals are values, including
   * 'signing keys unavailable' when the JWKS cannot be fetched; it throws only on bugs.
   */
  verify(authorizationHeader: string | null): Promise<TokenVerdict>;
}

const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;
const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Three base64url parts. The signature may be empty so that an unsigned token is refused for its algorithm. */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/** The claims read once jose has checked the signature, iss, aud, exp and nbf; Entra sets `ver` on every access token. */
const EntraClaims = z.object({
  ver: z.enum(['1.0', '2.0']),
  tid: z.string(),
  appid: z.string().optional(),
  azp: z.string().optional(),
  oid: z.string().optional(),
  roles: z.array(z.string()).optional(),
});
type EntraClaims = z.infer<typeof EntraClaims>;

type Refusal = { ok: false; reason: string };
const refuse = (reason: string): Refusal => ({ ok: false, reason });

/** A JWKS fetch that failed (network, status, body): an outage, not a bad token. */
class SigningKeysUnavailable extends Error {
  override readonly name = 'SigningKeysUnavailable';
}

interface CheckedOptions {
  readonly tenantId: string;
  readonly audiences: string[];
  readonly issuers: string[];
  readonly jwksUrl: URL;
  readonly allowedAppIds: ReadonlySet<string> | null;
  readonly clockToleranceSeconds: number;
  readonly jwksCacheMaxAgeMs: number;
  readonly jwksCooldownMs: number;
  readonly now: () => Date;
}

/** Creates a verifier; it throws at once when the options are wrong, naming every problem. Keys are fetched on first use. */
export function createEntraTokenVerifier(options: EntraTokenVerifierOptions): EntraTokenVerifier {
  const settings = checkOptions(options);
  const jwks = createRemoteJWKSet(settings.jwksUrl, {
    cacheMaxAge: settings.jwksCacheMaxAgeMs,
    cooldownDuration: settings.jwksCooldownMs,
  });
  // jose lets a failed fetch through as whatever fetch threw; tag it so it reads as an outage, not a bad token
  const keys: JWTVerifyGetKey = async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      throw new SigningKeysUnavailable('could not fetch the signing keys', { cause: err });
    }
  };

  return {
    async verify(authorizationHeader) {
      const token = readBearerToken(authorizationHeader);
      if (!token.ok) return token;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token.jwt, keys, {
          algorithms: ['RS256'],
          issuer: settings.issuers,
          audience: settings.audiences,
          clockTolerance: settings.clockToleranceSeconds,
          currentDate: settings.now(),
          // without exp a stolen token would work forever
          requiredClaims: ['exp'],
        }));
      } catch (err) {
        return toRefusal(err, settings.tenantId);
      }
      return toVerdict(payload, settings);
    },
  };
}

/** Takes the JWT out of the header and refuses, before any network call, what cannot be an Entra token. */
function readBearerToken(header: string | null): { ok: true; jwt: string } | Refusal {
  const value = header?.trim() ?? '';
  if (value === '') return refuse('missing Authorization header');
  const [scheme, ...rest] = value.split(/\s+/);
  if (scheme?.toLowerCase() !== 'bearer') return refuse('expected a Bearer token');
  const [jwt, ...extra] = rest;
  if (jwt === undefined) return refuse('empty bearer token');
  if (extra.length > 0 || !COMPACT_JWS.test(jwt)) return refuse('malformed token');
  let alg: unknown;
  let kid: unknown;
  try {
    ({ alg, kid } = decodeProtectedHeader(jwt));
  } catch {
    return refuse('malformed token');
  }
  if (alg !== 'RS256') {
    // the name comes from the caller: echo it only when it looks like an algorithm name
    return refuse(
      typeof alg === 'string' && /^[\w+-]{1,16}$/.test(alg)
        ? `unsupported algorithm "${alg}"`
        : 'unsupported algorithm',
    );
  }
  // Entra always names its key; without a kid jose would try whichever key fits
  if (typeof kid !== 'string' || kid === '') return refuse('token has no key id');
  return { ok: true, jwt };
}

/** Maps what jose throws for a bad token to a reason; anything not from jose is a bug and is rethrown. */
function toRefusal(err: unknown, tenantId: string): Refusal {
  if (err instanceof SigningKeysUnavailable) return refuse('signing keys unavailable');
  if (err instanceof errors.JWKSNoMatchingKey) return refuse('unknown signing key');
  if (err instanceof errors.JWKSMultipleMatchingKeys) return refuse('ambiguous signing key');
  if (err instanceof errors.JWSSignatureVerificationFailed) return refuse('signature does not verify');
  if (err instanceof errors.JWTExpired) return refuse('token expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return refuse(`token has no "${err.claim}" claim`);
    if (err.reason === 'invalid') return refuse(`invalid "${err.claim}" claim`);
    switch (err.claim) {
      case 'nbf':
        return refuse('token not yet valid');
      case 'aud':
        return refuse('wrong audience');
      case 'iss':
        // Entra signs every tenant's tokens with the same keys: another tenant's token verifies, so name why it is refused
        return refuse(isOtherTenant(err.payload.tid, tenantId) ? 'token issued by another tenant' : 'wrong issuer');
      default:
        return refuse(`invalid "${err.claim}" claim`);
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return refuse('unsupported algorithm');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return refuse('malformed token');
  // anything else jose refuses (a `crit` extension, an unsupported feature...) is the token's fault, never
  // ours: a 401 naming jose's error code, which is a constant and safe to echo
  if (err instanceof errors.JOSEError) return refuse(`token uses a feature ClouDO does not accept (${err.code})`);
  throw err;
}

function isOtherTenant(tid: unknown, tenantId: string): boolean {
  return typeof tid === 'string' && tid.toLowerCase() !== tenantId;
}

function toVerdict(payload: JWTPayload, settings: CheckedOptions): TokenVerdict {
  const parsed = EntraClaims.safeParse(payload);
  if (!parsed.success) return refuse('malformed claims');
  const claims: EntraClaims = parsed.data;
  if (isOtherTenant(claims.tid, settings.tenantId)) return refuse('token issued by another tenant');
  const appId = (claims.ver === '2.0' ? claims.azp : claims.appid)?.toLowerCase();
  if (!appId) return refuse('token names no caller app');
  if (settings.allowedAppIds && !settings.allowedAppIds.has(appId)) return refuse('caller app not allowed');
  return {
    ok: true,
    subject: { appId, objectId: claims.oid ?? null, tenantId: claims.tid, roles: claims.roles ?? [] },
  };
}

function checkOptions(options: EntraTokenVerifierOptions): CheckedOptions {
  const problems: string[] = [];
  const tenantId = options.tenantId.trim().toLowerCase();
  if (tenantId === '') {
    problems.push('tenantId is empty: set it to the directory (tenant) id, a GUID');
  } else if (!GUID.test(tenantId)) {
    problems.push(
      `tenantId "${options.tenantId}" is not a GUID: use the directory (tenant) id that tokens carry as "tid", not a domain name`,
    );
  }
  if (options.audiences.length === 0) {
    problems.push(
      'audiences is empty: list the Application ID URI (api://...) and/or the application (client) id the Secure Webhook uses',
    );
  } else if (options.audiences.some((audience) => audience.trim() === '')) {
    problems.push('audiences contains an empty value');
  }
  if (options.issuers?.length === 0) problems.push('issuers is empty: omit it to accept the tenant v1 and v2 issuers');
  if (options.allowedAppIds?.some((appId) => appId.trim() === ''))
    problems.push('allowedAppIds contains an empty value');

  const jwksUri = options.jwksUri ?? `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`;
  const jwksUrl = URL.canParse(jwksUri) ? new URL(jwksUri) : null;
  if (!jwksUrl) {
    problems.push(`jwksUri "${jwksUri}" is not a URL`);
  } else if (jwksUrl.protocol !== 'https:' && !(jwksUrl.protocol === 'http:' && isLoopbackHost(jwksUrl.hostname))) {
    problems.push(`jwksUri "${jwksUri}" must use https (plain http is allowed on loopback only, for test servers)`);
  }

  const clockToleranceSeconds = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (!(Number.isFinite(clockToleranceSeconds) && clockToleranceSeconds >= 0)) {
    problems.push(`clockToleranceSeconds must be >= 0, got ${clockToleranceSeconds}`);
  }
  const jwksCacheMaxAgeMs = options.jwksCacheMaxAgeMs ?? DEFAULT_JWKS_CACHE_MAX_AGE_MS;
  if (!(Number.isFinite(jwksCacheMaxAgeMs) && jwksCacheMaxAgeMs > 0)) {
    problems.push(`jwksCacheMaxAgeMs must be > 0, got ${jwksCacheMaxAgeMs}`);
  }
  const jwksCooldownMs = options.jwksCooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS;
  if (!(Number.isFinite(jwksCooldownMs) && jwksCooldownMs >= 0)) {
    problems.push(`jwksCooldownMs must be >= 0, got ${jwksCooldownMs}`);
  }

  if (problems.length > 0 || !jwksUrl) {
    throw new Error(`invalid Entra token verifier options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const allowedAppIds = options.allowedAppIds ?? [];
  return {
    tenantId,
    audiences: [...options.audiences],
    issuers: options.issuers
      ? [...options.issuers]
      : [`https://sts.windows.net/${tenantId}/`, `https://login.microsoftonline.com/${tenantId}/v2.0`],
    jwksUrl,
    allowedAppIds: allowedAppIds.length > 0 ? new Set(allowedAppIds.map((appId) => appId.trim().toLowerCase())) : null,
    clockToleranceSeconds,
    jwksCacheMaxAgeMs,
    jwksCooldownMs,
    now: options.now ?? (() => new Date()),
  };
}
