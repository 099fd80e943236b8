import type { OidcIssuer } from '../signing/index.js';
import { defineHttp } from './definitions.js';
import { HttpError } from './http/errors.js';
import type { AppServices, ServicesProvider } from './services.js';

// Entra and other verifiers fetch these anonymously and cache them. The key set is short-lived so a new key
// is seen within minutes; the retired key's grace period (an hour at least) covers what caches still hold.
const DISCOVERY_MAX_AGE_SECONDS = 3600;
const JWKS_MAX_AGE_SECONDS = 300;

/**
 * `GET /api/.well-known/openid-configuration`: ClouDO as an OIDC issuer, for workload-identity federation.
 * Public: it names the issuer and where its public keys are, nothing else.
 */
export function openidConfigurationFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'OpenidConfiguration',
    { route: '.well-known/openid-configuration', methods: ['GET'], authLevel: 'anonymous', role: 'public' },
    async ({ services: app }) => ({
      jsonBody: issuerOf(app).discovery(),
      headers: { 'cache-control': `public, max-age=${DISCOVERY_MAX_AGE_SECONDS}` },
    }),
  );
}

/** `GET /api/.well-known/jwks.json`: the public keys run tokens are signed with (current, then retired). */
export function jwksFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'Jwks',
    { route: '.well-known/jwks.json', methods: ['GET'], authLevel: 'anonymous', role: 'public' },
    async ({ services: app }) => ({
      jsonBody: await issuerOf(app).jwks(),
      headers: { 'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` },
    }),
  );
}

/** The app's OIDC issuer; 404 naming the setting when none is configured. */
export function issuerOf(app: AppServices): OidcIssuer {
  if (!app.oidc) throw new HttpError(404, app.settings.oidc.issuerProblem ?? 'no OIDC issuer is configured');
  return app.oidc;
}
