/**
 * Access settings of the functions app. Production is the default: only the local stack (and compose)
 * say `CLOUDO_ENV=development`, and only there may `CLOUDO_LOCAL_AUTH=off` let every caller in.
 */
import type { FunctionKeyNames } from './function-key.js';
import { readFunctionKeyNames } from './function-key.js';
import type { Env } from './setting-values.js';
import { readBoolean } from './setting-values.js';
export interface AuthSettings {
  /** `CLOUDO_ENV`: `production` (default) or `development`. */
  readonly environment: 'production' | 'development';
  /** Whether callers must prove who they are: always in production; in development unless `CLOUDO_LOCAL_AUTH=off`. */
  readonly enforce: boolean;
  /** Read `x-ms-client-principal` (`CLOUDO_TRUST_EASY_AUTH=true`): only where App Service Authentication sets it. */
  readonly trustEasyAuth: boolean;
  /** Entra ID bearer tokens of Azure Monitor Secure Webhooks; null when not configured. */
  readonly webhook: {
    /** `CLOUDO_WEBHOOK_TENANT_ID` */
    readonly tenantId: string;
    /** `CLOUDO_WEBHOOK_AUDIENCES`, comma-separated (application id URI and/or app id). */
    readonly audiences: readonly string[];
    /** `CLOUDO_WEBHOOK_JWKS_URI`, default the tenant's public keys. */
    readonly jwksUri: string | null;
    /**
     * `CLOUDO_WEBHOOK_ALLOWED_APP_IDS`, comma-separated: only these apps' tokens are accepted (Azure Monitor is
     * `461e8683-5575-4561-ac7f-899cc907d62a`). Empty: any app of the tenant that holds `appRole`.
     */
    readonly allowedAppIds: readonly string[];
    /**
     * `CLOUDO_WEBHOOK_APP_ROLE` (default `ActionGroupsSecureWebhook`, the role Azure's Secure Webhook set-up
     * assigns to the action groups' service principal): required on tokens when no app ids are allowed by name.
     */
    readonly appRole: string;
  } | null;
  /** `CLOUDO_SIGNING_KEY`: signs the console's decision forms (see form-token.ts); required and strong in production. */
  readonly signingKey: string | null;
  /** `CLOUDO_CORS_ORIGINS`, comma-separated origins allowed to call the API from a browser; none by default. */
  readonly corsOrigins: readonly string[];
  /**
   * `CLOUDO_FUNCTION_KEY_NAMES`, `name=sha256:<12 hex>,...` (see function-key.ts): the names the audit log
   * gives Functions keys, by fingerprint; a key not named is recorded by its fingerprint. None by default.
   */
  readonly functionKeyNames: FunctionKeyNames;
}

/** The app role Azure's Secure Webhook set-up creates and assigns to the action groups' service principal. */
export const DEFAULT_WEBHOOK_APP_ROLE = 'ActionGroupsSecureWebhook';

const WEAK_KEYS = new Set(['default', 'changeme', 'change-me', 'secret', 'password', 'cloudo', 'test', 'key']);
export const MIN_SIGNING_KEY_LENGTH = 32;

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Why a signing key is unfit, or null. */
export function signingKeyProblem(key: string): string | null {
  if (key.length < MIN_SIGNING_KEY_LENGTH) {
    return `is ${key.length} characters long; use at least ${MIN_SIGNING_KEY_LENGTH} random characters (openssl rand -base64 48)`;
  }
  if (WEAK_KEYS.has(key.toLowerCase()) || new Set(key).size < 12) {
    return 'is not random enough (too few distinct characters); use openssl rand -base64 48';
  }
  return null;
}

/** Reads the access settings, adding every problem to `problems`. */
export function readAuthSettings(env: Env, problems: string[]): AuthSettings {
  const environmentValue = env.CLOUDO_ENV?.trim() || 'production';
  if (environmentValue !== 'production' && environmentValue !== 'development') {
    problems.push(`CLOUDO_ENV="${environmentValue}" is invalid: use production or development`);
  }
  const environment = environmentValue === 'development' ? 'development' : 'production';
  const localAuth = env.CLOUDO_LOCAL_AUTH?.trim().toLowerCase() || 'on';
  if (localAuth !== 'on' && localAuth !== 'off')
    problems.push(`CLOUDO_LOCAL_AUTH="${localAuth}" is invalid: use on or off`);
  if (environment === 'production' && localAuth === 'off') {
    problems.push(
      'CLOUDO_LOCAL_AUTH=off is refused in production: it would let every caller in (set CLOUDO_ENV=development locally)',
    );
  }

  const signingKey = env.CLOUDO_SIGNING_KEY?.trim() || null;
  if (environment === 'production') {
    if (!signingKey) {
      problems.push(
        'CLOUDO_SIGNING_KEY is missing: production needs a random key of 32+ characters (openssl rand -base64 48)',
      );
    } else {
      const problem = signingKeyProblem(signingKey);
      if (problem) problems.push(`CLOUDO_SIGNING_KEY ${problem}`);
    }
  }

  const tenantId = env.CLOUDO_WEBHOOK_TENANT_ID?.trim();
  const audiences = list(env.CLOUDO_WEBHOOK_AUDIENCES);
  const jwksUri = env.CLOUDO_WEBHOOK_JWKS_URI?.trim() || null;
  if ((tenantId && audiences.length === 0) || (!tenantId && audiences.length > 0)) {
    problems.push('Secure Webhook needs both CLOUDO_WEBHOOK_TENANT_ID and CLOUDO_WEBHOOK_AUDIENCES');
  }
  if (tenantId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenantId)) {
    problems.push(`CLOUDO_WEBHOOK_TENANT_ID="${tenantId}" is not a tenant id (a GUID, not a domain name)`);
  }
  if (jwksUri && !URL.canParse(jwksUri)) problems.push(`CLOUDO_WEBHOOK_JWKS_URI is not a URL: "${jwksUri}"`);

  const corsOrigins = list(env.CLOUDO_CORS_ORIGINS);
  for (const origin of corsOrigins) {
    if (origin === '*' || !URL.canParse(origin) || new URL(origin).origin !== origin) {
      problems.push(`CLOUDO_CORS_ORIGINS: "${origin}" is not an origin like https://ops.example.com (no *, no path)`);
    }
  }

  return {
    environment,
    enforce: environment === 'production' || localAuth !== 'off',
    trustEasyAuth: readBoolean(env, 'CLOUDO_TRUST_EASY_AUTH', false, problems),
    webhook:
      tenantId && audiences.length > 0
        ? {
            tenantId,
            audiences,
            jwksUri,
            allowedAppIds: list(env.CLOUDO_WEBHOOK_ALLOWED_APP_IDS),
            appRole: env.CLOUDO_WEBHOOK_APP_ROLE?.trim() || DEFAULT_WEBHOOK_APP_ROLE,
          }
        : null,
    signingKey,
    corsOrigins,
    functionKeyNames: readFunctionKeyNames(env.CLOUDO_FUNCTION_KEY_NAMES, problems),
  };
}
