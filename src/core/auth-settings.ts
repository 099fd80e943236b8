/**
 * Access settings of the functions app. Production is the default: only the local stack (and compose)
 * say `CLOUDO_ENV=development`, and only there may `CLOUDO_LOCAL_AUTH=off` let every caller in.
 */
import { z } from 'zod';
import { readFunctionKeyNames } from './function-key.js';
import type { EnvShape } from './setting-values.js';
import { Bool, described, Guid, List, OneOf, Url } from './setting-values.js';

/** The app role Azure's Secure Webhook set-up creates and assigns to the action groups' service principal. */
export const DEFAULT_WEBHOOK_APP_ROLE = 'ActionGroupsSecureWebhook';

export const AuthEnv = {
  CLOUDO_ENV: described(
    OneOf('CLOUDO_ENV', ['production', 'development']).default('production'),
    '`development` only on a laptop: it allows `CLOUDO_LOCAL_AUTH=off` and a missing signing key',
  ),
  CLOUDO_LOCAL_AUTH: described(
    z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(OneOf('CLOUDO_LOCAL_AUTH', ['on', 'off']))
      .default('on'),
    '`off` lets every caller in as admin (development only)',
  ),
  CLOUDO_SIGNING_KEY: described(
    z.string().optional(),
    'signs the console’s decision forms; required in production, 32+ random characters',
  ),
  CLOUDO_TRUST_EASY_AUTH: described(
    Bool('CLOUDO_TRUST_EASY_AUTH').default(false),
    'read `x-ms-client-principal` (only behind App Service Authentication)',
  ),
  CLOUDO_WEBHOOK_TENANT_ID: described(
    z
      .string()
      .regex(Guid, {
        error: (i) => `CLOUDO_WEBHOOK_TENANT_ID="${String(i.input)}" is not a tenant id (a GUID, not a domain name)`,
      })
      .optional(),
    'Entra tenant of Secure Webhook tokens',
  ),
  CLOUDO_WEBHOOK_AUDIENCES: described(
    List().default([]),
    'audiences Secure Webhook tokens must carry, comma-separated (application id URI and/or app id)',
  ),
  CLOUDO_WEBHOOK_JWKS_URI: described(
    Url('CLOUDO_WEBHOOK_JWKS_URI').optional(),
    'keys of Secure Webhook tokens (default: the tenant’s public keys)',
  ),
  CLOUDO_WEBHOOK_ALLOWED_APP_IDS: described(
    List().default([]),
    'only these apps’ webhook tokens are accepted, comma-separated (Azure Monitor is 461e8683-5575-4561-ac7f-899cc907d62a)',
  ),
  CLOUDO_WEBHOOK_APP_ROLE: described(
    z.string().default(DEFAULT_WEBHOOK_APP_ROLE),
    'app role webhook tokens need when no app ids are allowed by name',
  ),
  CLOUDO_CORS_ORIGINS: described(
    List()
      .pipe(
        z.array(
          z.string().refine((o) => o !== '*' && URL.canParse(o) && new URL(o).origin === o, {
            error: (i) =>
              `CLOUDO_CORS_ORIGINS: "${String(i.input)}" is not an origin like https://ops.example.com (no *, no path)`,
          }),
        ),
      )
      .default([]),
    'origins allowed to call the API from a browser, comma-separated',
  ),
  CLOUDO_FUNCTION_KEY_NAMES: described(
    // the messages name entries by position: a wrong entry may be a pasted key value
    z
      .string()
      .transform((value, ctx) => {
        const problems: string[] = [];
        const names = readFunctionKeyNames(value, problems);
        for (const message of problems) ctx.issues.push({ code: 'custom', message, input: '' });
        return names;
      })
      .default(() => new Map()),
    'names of Functions keys by fingerprint (`name=sha256:<12 hex>,...`), for the audit log',
  ),
} satisfies EnvShape;

type AuthValues = z.output<z.ZodObject<typeof AuthEnv>>;

const WEAK_KEYS = new Set(['default', 'changeme', 'change-me', 'secret', 'password', 'cloudo', 'test', 'key']);
export const MIN_SIGNING_KEY_LENGTH = 32;

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

/** Webhook tokens are checked only when both the tenant and the audiences are set. */
export function checkAuthVariables(raw: Readonly<Record<string, string>>, problems: string[]): void {
  if (Boolean(raw.CLOUDO_WEBHOOK_TENANT_ID) !== Boolean(raw.CLOUDO_WEBHOOK_AUDIENCES)) {
    problems.push('Secure Webhook needs both CLOUDO_WEBHOOK_TENANT_ID and CLOUDO_WEBHOOK_AUDIENCES');
  }
}

/** The access settings, adding what production refuses to `problems`. */
export function authSettings(values: AuthValues, problems: string[]) {
  const environment = values.CLOUDO_ENV;
  if (environment === 'production' && values.CLOUDO_LOCAL_AUTH === 'off') {
    problems.push(
      'CLOUDO_LOCAL_AUTH=off is refused in production: it would let every caller in (set CLOUDO_ENV=development locally)',
    );
  }
  const signingKey = values.CLOUDO_SIGNING_KEY ?? null;
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
  const tenantId = values.CLOUDO_WEBHOOK_TENANT_ID;
  const audiences = values.CLOUDO_WEBHOOK_AUDIENCES;
  return {
    environment,
    /** Whether callers must prove who they are: always in production. */
    enforce: environment === 'production' || values.CLOUDO_LOCAL_AUTH !== 'off',
    trustEasyAuth: values.CLOUDO_TRUST_EASY_AUTH,
    /** Entra ID bearer tokens of Azure Monitor Secure Webhooks; null when not configured. */
    webhook:
      tenantId && audiences.length > 0
        ? {
            tenantId,
            audiences,
            jwksUri: values.CLOUDO_WEBHOOK_JWKS_URI ?? null,
            allowedAppIds: values.CLOUDO_WEBHOOK_ALLOWED_APP_IDS,
            appRole: values.CLOUDO_WEBHOOK_APP_ROLE,
          }
        : null,
    signingKey,
    corsOrigins: values.CLOUDO_CORS_ORIGINS,
    functionKeyNames: values.CLOUDO_FUNCTION_KEY_NAMES,
  };
}

export type AuthSettings = ReturnType<typeof authSettings>;
