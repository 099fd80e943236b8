import { z } from 'zod';
import type { AuthSettings } from './auth-settings.js';
import { readAuthSettings } from './auth-settings.js';
import type { NotifySettings } from './notify-settings.js';
import { readNotifySettings } from './notify-settings.js';
import { NAMESPACE_PATTERN } from './resource-names.js';
import type { Env } from './setting-values.js';
import { Millis, readBoolean, readSetting, WholeNumber } from './setting-values.js';

/**
 * Settings are read once by an entrypoint (functions app, worker, local stack, CLI) and passed down.
 * A missing or wrong value stops start-up with a message naming the variable and what to set.
 */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

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
  /** Prefix of every table, queue and container name (`CLOUDO_STORAGE_NAMESPACE`, default none). */
  readonly namespace: string;
}

const CONNECTION = 'AzureWebJobsStorage';

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

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

/** Reads the storage settings the way Azure Functions names them. */
export function loadStorageSettings(env: Env): StorageSettings {
  const problems: string[] = [];
  const namespace = nonEmpty(env, 'CLOUDO_STORAGE_NAMESPACE') ?? '';
  if (namespace && !NAMESPACE_PATTERN.test(namespace)) {
    problems.push(
      `CLOUDO_STORAGE_NAMESPACE="${namespace}" is invalid: use 1-12 lower-case letters and digits, starting with a letter`,
    );
  }
  const connection = readConnection(env, problems);
  if (problems.length > 0 || !connection) throw new SettingsError(problems);
  return { connection, namespace };
}

function readConnection(env: Env, problems: string[]): StorageConnection | undefined {
  const connectionString = nonEmpty(env, CONNECTION);
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
  const account = nonEmpty(env, `${CONNECTION}__accountName`);
  const uri = (service: 'table' | 'queue' | 'blob'): string | undefined => {
    const explicit = nonEmpty(env, `${CONNECTION}__${service}ServiceUri`);
    if (explicit) {
      if (!URL.canParse(explicit)) problems.push(`${CONNECTION}__${service}ServiceUri is not a URL: "${explicit}"`);
      return explicit;
    }
    return account ? `https://${account}.${service}.core.windows.net` : undefined;
  };
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
  const missing = (['table', 'queue', 'blob'] as const).filter(
    (s) => !{ table: tableServiceUri, queue: queueServiceUri, blob: blobServiceUri }[s],
  );
  if (missing.length > 0 || !tableServiceUri || !queueServiceUri || !blobServiceUri) {
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
    clientId: nonEmpty(env, `${CONNECTION}__clientId`) ?? null,
  };
}

/** How long ClouDO keeps what it records; Housekeeping purges the rest, a bounded batch a tick. */
export interface RetentionSettings {
  /**
   * Days an ended run is kept with its log, alert payloads, notification ledger, delivery key and lock
   * (`CLOUDO_RETENTION_DAYS`, default 90). Whole days: a run goes once the day it was requested on is older.
   */
  readonly runDays: number;
  /** Days an audit entry is kept (`CLOUDO_AUDIT_RETENTION_DAYS`, default 365). */
  readonly auditDays: number;
  /**
   * A worker silent for this long leaves Table Workers and `/api/workers` (`CLOUDO_DEAD_WORKER_RETENTION_MS`,
   * default 1 day); at least `CLOUDO_STALE_WORKER_MS`, so a worker is listed as gone before it is forgotten.
   */
  readonly deadWorkerMs: number;
  /**
   * Most runs, and most audit entries, one Housekeeping tick purges (`CLOUDO_RETENTION_BATCH_SIZE`, default
   * 500): a backlog (a first deployment of retention on years of history) is worked off over many ticks.
   */
  readonly batchSize: number;
}

/** Settings of the functions app. */
export interface AppSettings {
  readonly storage: StorageSettings;
  readonly auth: AuthSettings;
  /** A worker silent for this long is gone: housekeeping abandons its runs (`CLOUDO_STALE_WORKER_MS`, default 30000). */
  readonly staleWorkerMs: number;
  /**
   * A run still queued this long for a capability no live worker serves ends `error` and is announced
   * (`CLOUDO_QUEUED_TIMEOUT_MS`, default 15 minutes), so an on-call schema pages instead of waiting forever.
   */
  readonly queuedTimeoutMs: number;
  /**
   * A run `accepted` this long may have lost its job message (its trigger died in between): housekeeping
   * queues it once more (`CLOUDO_ORPHAN_AFTER_MS`, default 5 minutes).
   */
  readonly orphanAfterMs: number;
  /** Slack, Opsgenie/JSM, PagerDuty and the routing rules. */
  readonly notify: NotifySettings;
  /** Largest request body accepted, in bytes (`CLOUDO_MAX_BODY_BYTES`, default 1 MiB). */
  readonly maxBodyBytes: number;
  /**
   * Most alerts one request may carry (`CLOUDO_MAX_ALERTS_PER_REQUEST`, default 50): each may start a run,
   * so a larger group is refused whole (413) rather than starting hundreds of runs.
   */
  readonly maxAlertsPerRequest: number;
  /**
   * Live-log streams (`GET /api/executions/{execId}/stream`) one instance of the app serves at once: per
   * caller (`CLOUDO_STREAMS_PER_CALLER`, default 10) and in all (`CLOUDO_STREAMS_TOTAL`, default 200).
   * Beyond either, a new stream is refused with 429 and Retry-After; open ones are never cut.
   */
  readonly liveLogStreams: { readonly perCaller: number; readonly total: number };
  /**
   * A schemas file shipped with the deployment (`CLOUDO_SCHEMAS_JSON`, the Terraform module's `schemas`),
   * imported by the app itself; `prune` (`CLOUDO_SCHEMAS_PRUNE=true`) also deletes schemas it lacks. The
   * content is checked when imported, not here: a mistake in one schema must not stop the whole app.
   */
  readonly deployedSchemas: { readonly json: string; readonly prune: boolean } | null;
  readonly retention: RetentionSettings;
}

/**
 * What every process's settings start from: the problems of Key Vault references left unresolved, and
 * the storage settings (undefined, with their problems added, when they are wrong).
 */
export function readCommonSettings(env: Env): { problems: string[]; storage: StorageSettings | undefined } {
  const problems = keyVaultReferenceProblems(env);
  try {
    return { problems, storage: loadStorageSettings(env) };
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    problems.push(...err.problems);
    return { problems, storage: undefined };
  }
}

/** `routingFile`: the content of CLOUDO_ROUTING_RULES_FILE, read by the entrypoint. */
export function loadAppSettings(env: Env, routingFile?: string): AppSettings {
  const { problems, storage } = readCommonSettings(env);
  const setting = <T>(name: string, schema: z.ZodType<T>) => readSetting(schema, nonEmpty(env, name), problems);
  const maxBodyBytes = setting(
    'CLOUDO_MAX_BODY_BYTES',
    WholeNumber('CLOUDO_MAX_BODY_BYTES', 1024, Number.MAX_SAFE_INTEGER, 'bytes').default(1024 * 1024),
  );
  const maxAlertsPerRequest = setting(
    'CLOUDO_MAX_ALERTS_PER_REQUEST',
    WholeNumber('CLOUDO_MAX_ALERTS_PER_REQUEST', 1, 1000).default(50),
  );
  // A caller is who a Caller speaks for: a person counts all their tokens and tabs together. A browser keeps
  // at most 6 connections per site over HTTP/1.1, so 10 lets a person follow runs in every tab plus a CLI
  // or two, and refuses only a script or a page gone wrong.
  const streamsPerCaller = setting(
    'CLOUDO_STREAMS_PER_CALLER',
    WholeNumber('CLOUDO_STREAMS_PER_CALLER', 1, 10_000).default(10),
  );
  // 200 streams each polling on its own read storage ~1,600 times a second and slowed every route 10x
  // (issue 12). The streams of one run now share one poller (200 of them: 8 reads/s, `npm run
  // bench:streams`), so reads grow with the runs followed, not the streams; what a stream still holds is a
  // connection and a host request for up to 4 minutes. 200 is twenty people at their own cap, a whole
  // incident room, while bounding what one instance holds open.
  const streamsTotal = setting('CLOUDO_STREAMS_TOTAL', WholeNumber('CLOUDO_STREAMS_TOTAL', 1, 100_000).default(200));
  const auth = readAuthSettings(env, problems);
  const staleWorkerMs = setting(
    'CLOUDO_STALE_WORKER_MS',
    Millis('CLOUDO_STALE_WORKER_MS', 1_000, 3_600_000).default(30_000),
  );
  const queuedTimeoutMs = setting(
    'CLOUDO_QUEUED_TIMEOUT_MS',
    Millis('CLOUDO_QUEUED_TIMEOUT_MS', 1_000, 7 * 24 * 3_600_000).default(15 * 60_000),
  );
  const orphanAfterMs = setting(
    'CLOUDO_ORPHAN_AFTER_MS',
    Millis('CLOUDO_ORPHAN_AFTER_MS', 1_000, 24 * 3_600_000).default(5 * 60_000),
  );
  const notify = readNotifySettings(env, problems, routingFile);
  const deployedSchemas = readDeployedSchemas(env, problems);
  const retention = readRetention(setting, staleWorkerMs, problems);
  if (
    queuedTimeoutMs === undefined ||
    orphanAfterMs === undefined ||
    problems.length > 0 ||
    !storage ||
    maxBodyBytes === undefined ||
    maxAlertsPerRequest === undefined ||
    streamsPerCaller === undefined ||
    streamsTotal === undefined ||
    staleWorkerMs === undefined ||
    !retention
  ) {
    throw new SettingsError(problems);
  }
  return {
    storage,
    auth,
    maxBodyBytes,
    maxAlertsPerRequest,
    liveLogStreams: { perCaller: streamsPerCaller, total: streamsTotal },
    staleWorkerMs,
    queuedTimeoutMs,
    orphanAfterMs,
    notify,
    deployedSchemas,
    retention,
  };
}

const DAY_MS = 86_400_000;

function readRetention(
  setting: <T>(name: string, schema: z.ZodType<T>) => T | undefined,
  staleWorkerMs: number | undefined,
  problems: string[],
): RetentionSettings | undefined {
  const days = (name: string, fallback: number) =>
    setting(name, WholeNumber(name, 1, 36_500, 'days').default(fallback));
  const runDays = days('CLOUDO_RETENTION_DAYS', 90);
  const auditDays = days('CLOUDO_AUDIT_RETENTION_DAYS', 365);
  const deadWorkerMs = setting(
    'CLOUDO_DEAD_WORKER_RETENTION_MS',
    Millis('CLOUDO_DEAD_WORKER_RETENTION_MS', 1_000, 365 * DAY_MS).default(DAY_MS),
  );
  const batchSize = setting(
    'CLOUDO_RETENTION_BATCH_SIZE',
    WholeNumber('CLOUDO_RETENTION_BATCH_SIZE', 1, 5_000).default(500),
  );
  if (deadWorkerMs !== undefined && staleWorkerMs !== undefined && deadWorkerMs < staleWorkerMs) {
    problems.push(
      `CLOUDO_DEAD_WORKER_RETENTION_MS (${deadWorkerMs}) must be at least CLOUDO_STALE_WORKER_MS (${staleWorkerMs}): ` +
        'a worker would leave the list before it counts as gone',
    );
    return undefined;
  }
  if (runDays === undefined || auditDays === undefined || deadWorkerMs === undefined || batchSize === undefined)
    return undefined;
  return { runDays, auditDays, deadWorkerMs, batchSize };
}

function readDeployedSchemas(env: Env, problems: string[]): AppSettings['deployedSchemas'] {
  const prune = readBoolean(env, 'CLOUDO_SCHEMAS_PRUNE', false, problems);
  const json = nonEmpty(env, 'CLOUDO_SCHEMAS_JSON');
  return json ? { json, prune } : null;
}

/**
 * What the Functions host needs when it registers the functions, before any other setting is read (a
 * wrong app setting must not stop registration, only the calls that need it): Trigger's auth level
 * (`CLOUDO_TRIGGER_AUTH_LEVEL`, `function` or `anonymous`) and the namespace that names the queues the
 * queue functions listen on (`CLOUDO_STORAGE_NAMESPACE`).
 */
export interface RegistrationSettings {
  readonly triggerAuthLevel: 'function' | 'anonymous';
  readonly namespace: string;
}

const TriggerAuthLevel = z.enum(['function', 'anonymous'], {
  error: (issue) => `CLOUDO_TRIGGER_AUTH_LEVEL="${String(issue.input)}" is invalid: use function or anonymous`,
});

export function loadRegistrationSettings(env: Env): RegistrationSettings {
  const problems: string[] = [];
  const triggerAuthLevel = readSetting(
    TriggerAuthLevel.default('function'),
    nonEmpty(env, 'CLOUDO_TRIGGER_AUTH_LEVEL'),
    problems,
  );
  if (!triggerAuthLevel) throw new SettingsError(problems);
  return { triggerAuthLevel, namespace: nonEmpty(env, 'CLOUDO_STORAGE_NAMESPACE') ?? '' };
}
