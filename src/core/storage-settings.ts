import { z } from 'zod';
import { NAMESPACE_PATTERN } from './resource-names.js';
import type { Env, EnvShape } from './setting-values.js';
import { described, parseEnv, SettingsError, Url, withoutBlanks } from './setting-values.js';

/** Where storage lives: a connection string (Azurite, keys) or service URIs with an Entra identity. */
export type StorageConnection =
  | { readonly kind: 'connection-string'; readonly connectionString: string }
  | {
      readonly kind: 'identity';
      readonly tableServiceUri: string;
      readonly queueServiceUri: string;
      readonly blobServiceUri: string;
      /** Client id of a user-assigned managed identity (`AzureWebJobsStorage__clientId`). */
      readonly clientId: string | null;
    };

export interface StorageSettings {
  readonly connection: StorageConnection;
  /** Prefix of every table, queue and container name (`CLOUDO_STORAGE_NAMESPACE`). */
  readonly namespace: string;
}

const CONNECTION = 'AzureWebJobsStorage';
const serviceUri = (service: string) =>
  described(
    Url(`${CONNECTION}__${service}ServiceUri`).optional(),
    `${service} endpoint (default from the account name)`,
  );

/** Storage as Azure Functions names it; every process reads it. */
export const StorageEnv = {
  AzureWebJobsStorage: described(z.string().optional(), 'storage connection string (Azurite locally)'),
  AzureWebJobsStorage__accountName: described(
    z.string().optional(),
    'identity-based storage (`DefaultAzureCredential`) on this account, instead of a connection string',
  ),
  AzureWebJobsStorage__tableServiceUri: serviceUri('table'),
  AzureWebJobsStorage__queueServiceUri: serviceUri('queue'),
  AzureWebJobsStorage__blobServiceUri: serviceUri('blob'),
  AzureWebJobsStorage__clientId: described(
    z.string().optional(),
    'client id of the user-assigned identity storage is reached with',
  ),
  CLOUDO_STORAGE_NAMESPACE: described(
    z
      .string()
      .regex(NAMESPACE_PATTERN, {
        error: (i) =>
          `CLOUDO_STORAGE_NAMESPACE="${String(i.input)}" is invalid: use 1-12 lower-case letters and digits, starting with a letter`,
      })
      .default(''),
    'prefix of every table, queue and container name',
  ),
} satisfies EnvShape;

/**
 * App Service and Container Apps put a secret in a setting as `@Microsoft.KeyVault(SecretUri=...)`. Until
 * the app's identity may read the vault (role assignments take minutes after `terraform apply`), App Service
 * passes the reference itself as the value: a "strong" signing key anyone can guess from resource names, or
 * a token Slack refuses. So any variable still holding one is a problem, whoever reads it.
 */
function keyVaultReferenceProblems(env: Env): string[] {
  return Object.entries(env)
    .filter(([, value]) => value !== undefined && /^@microsoft\.keyvault\(/i.test(value.trim()))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => {
      // SecretUri=https://<vault>.vault.azure.net/... or VaultName=<vault>;SecretName=...
      const vault = /(?:SecretUri=https?:\/\/|VaultName=)([A-Za-z0-9-]+)/i.exec(value ?? '')?.[1];
      return (
        `${name} is an unresolved Key Vault reference (@Microsoft.KeyVault(...)): give the app's identity ` +
        `"Key Vault Secrets User" on the vault${vault ? ` ${vault}` : ''}, then restart the app`
      );
    });
}

type StorageValues = z.output<z.ZodObject<typeof StorageEnv>>;

/**
 * Reads a process's environment through its shape (which holds StorageEnv), and `build`s its settings
 * from the values and the storage they name. Unresolved Key Vault references, wrong variables, and the
 * problems `build` finds are reported together.
 */
export function loadSettings<S extends EnvShape & typeof StorageEnv, T>(
  shape: S,
  env: Env,
  build: (values: z.output<z.ZodObject<S>>, storage: StorageSettings, problems: string[]) => T,
  /** Rules between variables, checked on their text even when one of them is wrong. */
  check?: (raw: Readonly<Record<string, string>>, problems: string[]) => void,
): T {
  const problems = keyVaultReferenceProblems(env);
  const values = parseEnv(shape, env, problems);
  const raw = withoutBlanks(env);
  const connection = readConnection(raw, problems);
  check?.(raw, problems);
  if (!values || !connection || problems.length > 0) throw new SettingsError(problems);
  const settings = build(
    values,
    { connection, namespace: (values as StorageValues).CLOUDO_STORAGE_NAMESPACE },
    problems,
  );
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}

/** Reads the storage settings the way Azure Functions names them. */
export function loadStorageSettings(env: Env): StorageSettings {
  return loadSettings(StorageEnv, env, (_, storage) => storage);
}

function readConnection(raw: Readonly<Record<string, string>>, problems: string[]): StorageConnection | undefined {
  const connectionString = raw[CONNECTION];
  if (connectionString) {
    if (connectionString === 'UseDevelopmentStorage=true') {
      return { kind: 'connection-string', connectionString };
    }
    const parts = new Set(
      connectionString
        .split(';')
        .map((p) => p.split('=')[0]?.trim())
        .filter(Boolean),
    );
    const missing = ['AccountName', 'AccountKey'].filter((k) => !parts.has(k));
    if (missing.length > 0 && !parts.has('SharedAccessSignature')) {
      problems.push(`${CONNECTION} is not a storage connection string: it lacks ${missing.join(' and ')}`);
      return undefined;
    }
    return { kind: 'connection-string', connectionString };
  }
  const account = raw[`${CONNECTION}__accountName`];
  const uri = (service: 'table' | 'queue' | 'blob') =>
    raw[`${CONNECTION}__${service}ServiceUri`] ??
    (account ? `https://${account}.${service}.core.windows.net` : undefined);
  const tableServiceUri = uri('table');
  const queueServiceUri = uri('queue');
  const blobServiceUri = uri('blob');
  if (!tableServiceUri && !queueServiceUri && !blobServiceUri) {
    problems.push(
      `${CONNECTION} is not set: set it to a storage connection string (locally "npm start" sets one for Azurite), ` +
        `or set ${CONNECTION}__accountName to use the managed identity`,
    );
    return undefined;
  }
  if (!tableServiceUri || !queueServiceUri || !blobServiceUri) {
    const missing = (['table', 'queue', 'blob'] as const).filter((s) => !uri(s));
    problems.push(
      `identity-based storage needs ${missing.map((s) => `${CONNECTION}__${s}ServiceUri`).join(', ')} ` +
        `(or ${CONNECTION}__accountName for all three)`,
    );
    return undefined;
  }
  return {
    kind: 'identity',
    tableServiceUri,
    queueServiceUri,
    blobServiceUri,
    clientId: raw[`${CONNECTION}__clientId`] ?? null,
  };
}
