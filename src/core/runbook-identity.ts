import { z } from 'zod';
import type { Run } from './execution.js';
import type { EnvShape } from './setting-values.js';
import { described, Guid } from './setting-values.js';

/**
 * Which Azure identity a run acts as. Runbooks are untrusted relative to ClouDO, so they never act as the
 * workers' identity (which holds ClouDO's own storage): ClouDO is an OIDC issuer, mints each run a token
 * whose subject names its schema, and Entra exchanges it for an access token of the identity that trusts
 * that subject (a federated identity credential, iac/runbook-identity.tf). Pure: settings come in.
 */

/** A name of `runbook_identities` (Terraform), as a schema's `identity` gives it. */
export const RUNBOOK_IDENTITY_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * A schema's `identity`: the client id (GUID) of a user-assigned identity, or a name the deployment maps
 * to one (CLOUDO_RUNBOOK_IDENTITIES). Naming an identity grants nothing by itself: the exchange works only
 * if that identity trusts this schema's subject.
 */
export const RunbookIdentityRef = z
  .string()
  // one pattern, not a refine, so that schemas/schema.json can state it
  .regex(
    /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-z0-9][a-z0-9-]{0,62})$/,
    'must be a user-assigned identity’s client id (GUID) or a name of runbook_identities (a-z, 0-9, "-")',
  );

/** The subject of a run whose schema names no identity: the default identity is shared by definition. */
export const DEFAULT_RUNBOOK_SUBJECT = 'cloudo:runbook-identity:default';

/** The subject of the runs of a schema that names its identity; the identity trusts exactly this. */
export function schemaSubject(partitionKey: string, schemaId: string): string {
  return `cloudo:schema:${partitionKey}:${schemaId}`;
}

/** name → client id, as Terraform writes it (`jsonencode`); keys and values checked, each problem named. */
const IdentityMap = (name: string) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `${name} must be a JSON object of name → client id` });
        return z.NEVER;
      }
    })
    .pipe(
      z.record(z.string(), z.string().regex(Guid, `${name}: each value must be a client id (GUID)`), {
        error: `${name} must be a JSON object of name → client id`,
      }),
    )
    // names checked here rather than as the record's keys, whose own messages would not name the setting
    .check((ctx) => {
      for (const key of Object.keys(ctx.value)) {
        const problem = !RUNBOOK_IDENTITY_NAME_PATTERN.test(key)
          ? 'each name must match ^[a-z0-9][a-z0-9-]{0,62}$'
          : // a schema's GUID is read as a client id, so a GUID-shaped name could never be named
            Guid.test(key)
            ? 'a name must not be a GUID (a schema’s GUID is a client id)'
            : null;
        if (problem) ctx.issues.push({ code: 'custom', input: key, message: `${name}: ${problem} ("${key}")` });
      }
    });

/** What the Functions app reads to resolve a run's identity (Terraform sets all three). */
export const RunbookIdentityEnv = {
  CLOUDO_RUNBOOK_IDENTITIES: described(
    IdentityMap('CLOUDO_RUNBOOK_IDENTITIES').optional(),
    'runbook identities a schema’s `identity` may name: JSON object of name → client id (Terraform `runbook_identities`); unset: none',
  ),
  CLOUDO_RUNBOOK_CLIENT_ID: described(
    z.string().regex(Guid, 'CLOUDO_RUNBOOK_CLIENT_ID must be a client id (GUID)').optional(),
    'client id of the default runbook identity, for runs of schemas naming none; unset: those runs get no Azure identity',
  ),
  AZURE_TENANT_ID: described(
    z.string().regex(Guid, 'AZURE_TENANT_ID must be a tenant id (GUID)').optional(),
    'Entra tenant runbook identities live in (where their federated tokens are exchanged)',
  ),
  AZURE_AUTHORITY_HOST: described(
    z.url({ protocol: /^https?$/, message: 'AZURE_AUTHORITY_HOST must be a URL' }).optional(),
    'Entra authority runbooks exchange their tokens with (sovereign clouds); default https://login.microsoftonline.com/',
  ),
} satisfies EnvShape;

/** Entra's public-cloud authority, what the Azure SDKs and az use when AZURE_AUTHORITY_HOST is unset. */
export const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com/';

type RunbookIdentityValues = z.output<z.ZodObject<typeof RunbookIdentityEnv>>;

export interface RunbookIdentitySettings {
  /** Names a schema's `identity` may give, each with its client id. */
  readonly named: Readonly<Record<string, string>>;
  /** Client id of the identity of runs whose schema names none; null: such runs get no Azure identity. */
  readonly defaultClientId: string | null;
  readonly tenantId: string | null;
  /** Where runbooks exchange their tokens (AZURE_AUTHORITY_HOST), passed on to them as the same variable. */
  readonly authorityHost: string;
}

export function runbookIdentitySettings(v: RunbookIdentityValues): RunbookIdentitySettings {
  return {
    named: v.CLOUDO_RUNBOOK_IDENTITIES ?? {},
    defaultClientId: v.CLOUDO_RUNBOOK_CLIENT_ID ?? null,
    tenantId: v.AZURE_TENANT_ID ?? null,
    authorityHost: v.AZURE_AUTHORITY_HOST ?? PUBLIC_AUTHORITY_HOST,
  };
}

/** What a run's identity is: how it is found, as a run's (or a schema's) fields give it. */
export type RunbookIdentityTarget = Pick<Run, 'identity' | 'schemaPartition' | 'schemaId'>;

/**
 * The identity a run acts as (`resolved`); `none` when its schema names none and the deployment has no
 * default identity (the run then gets no Azure identity at all, never the workers'); `unknown` when its
 * schema names one the deployment does not define (the run cannot act as what its author meant).
 */
export type RunbookIdentityResolution =
  | {
      readonly status: 'resolved';
      readonly clientId: string;
      /** The subject of the run's token, which the identity's federated credential trusts. */
      readonly subject: string;
      readonly tenantId: string | null;
    }
  | { readonly status: 'none'; readonly reason: string }
  | { readonly status: 'unknown'; readonly error: string };

export function resolveRunbookIdentity(
  target: RunbookIdentityTarget,
  settings: RunbookIdentitySettings,
): RunbookIdentityResolution {
  const { tenantId } = settings;
  if (target.identity === null) {
    if (settings.defaultClientId === null) {
      return {
        status: 'none',
        reason:
          'no runbook identity: this deployment sets no CLOUDO_RUNBOOK_CLIENT_ID and the schema names no identity',
      };
    }
    return { status: 'resolved', clientId: settings.defaultClientId, subject: DEFAULT_RUNBOOK_SUBJECT, tenantId };
  }
  const subject = schemaSubject(target.schemaPartition, target.schemaId);
  if (Guid.test(target.identity))
    return { status: 'resolved', clientId: target.identity.toLowerCase(), subject, tenantId };
  const clientId = settings.named[target.identity];
  if (clientId === undefined) return { status: 'unknown', error: unknownIdentityMessage(target, settings) };
  return { status: 'resolved', clientId, subject, tenantId };
}

function unknownIdentityMessage(target: RunbookIdentityTarget, settings: RunbookIdentitySettings): string {
  const names = Object.keys(settings.named).sort();
  return (
    `schema "${target.schemaId}" names identity "${target.identity}" that this deployment does not define ` +
    `(CLOUDO_RUNBOOK_IDENTITIES has: ${names.length === 0 ? 'none' : names.join(', ')}); ` +
    'add it to the Terraform module’s runbook_identities, or name a client id'
  );
}

/**
 * At import: the schemas naming an identity this deployment does not define, one line each. A warning,
 * not an error: the mapping is the deployment's, and may be applied after the schemas are.
 */
export function unknownIdentityWarnings(
  // the schema's own fields, not RunbookSchema: runbook-schema.ts imports this file
  schemas: readonly { readonly identity: string | null; readonly partitionKey: string; readonly id: string }[],
  settings: RunbookIdentitySettings,
): string[] {
  return schemas.flatMap((schema) => {
    const target = { identity: schema.identity, schemaPartition: schema.partitionKey, schemaId: schema.id };
    const resolution = resolveRunbookIdentity(target, settings);
    return resolution.status === 'unknown'
      ? [`warning: ${resolution.error}; its runs will end in error until then`]
      : [];
  });
}
