import { z } from 'zod';
import { isManagedClusterId } from './aks-cluster.js';
import { AuthEnv, authSettings, checkAuthVariables } from './auth-settings.js';
import { ContainerGroupsEnv, containerGroupsSettings } from './isolation-settings.js';
import { checkNotifyVariables, NotifyEnv, notifySettings } from './notify-settings.js';
import { OidcEnv, oidcSettings } from './oidc-settings.js';
import { WorkerKeyEnv } from './run-identity-settings.js';
import { RunbookIdentityEnv, runbookIdentitySettings } from './runbook-identity.js';
import type { Env, EnvShape } from './setting-values.js';
import {
  Bool,
  described,
  Millis,
  OneOf,
  parseEnv,
  SettingsError,
  WholeNumber,
  withoutBlanks,
} from './setting-values.js';
import { loadSettings, StorageEnv } from './storage-settings.js';
import { WakeKeyEnv } from './wake-settings.js';

const DAY_MS = 86_400_000;

/**
 * What the Functions host needs when it registers the functions, before any other setting is read: a
 * wrong app setting must not stop registration, only the calls that need it.
 */
const RegistrationEnv = {
  CLOUDO_TRIGGER_AUTH_LEVEL: described(
    OneOf('CLOUDO_TRIGGER_AUTH_LEVEL', ['function', 'anonymous']).default('function'),
    'Trigger’s auth level: `anonymous` leaves it to API tokens and Secure Webhook tokens',
  ),
} satisfies EnvShape;

/** The environment of the functions app: every variable it reads, each default stated here once. */
export const FunctionsEnv = {
  ...StorageEnv,
  ...RegistrationEnv,
  CLOUDO_MAX_BODY_BYTES: described(
    WholeNumber('CLOUDO_MAX_BODY_BYTES', 1024, Number.MAX_SAFE_INTEGER, 'bytes').default(1024 * 1024),
    'largest request body (413 beyond)',
  ),
  CLOUDO_MAX_ALERTS_PER_REQUEST: described(
    // each alert may start a run, so a larger group is refused whole rather than starting hundreds of runs
    WholeNumber('CLOUDO_MAX_ALERTS_PER_REQUEST', 1, 1000).default(50),
    'most alerts in one request (413 beyond, nothing written)',
  ),
  // A caller is who a Caller speaks for: a person counts all their tokens and tabs together. A browser keeps
  // at most 6 connections per site over HTTP/1.1, so 10 lets a person follow runs in every tab plus a CLI
  // or two, and refuses only a script or a page gone wrong.
  CLOUDO_STREAMS_PER_CALLER: described(
    WholeNumber('CLOUDO_STREAMS_PER_CALLER', 1, 10_000).default(10),
    'live-log streams one caller holds at once (429 beyond)',
  ),
  // 200 streams each polling on its own read storage ~1,600 times a second and slowed every route 10x
  // (issue 12). The streams of one run now share one poller (200 of them: 8 reads/s, `npm run
  // bench:streams`), so reads grow with the runs followed, not the streams; what a stream still holds is a
  // connection and a host request for up to 4 minutes. 200 is twenty people at their own cap, a whole
  // incident room, while bounding what one instance holds open.
  CLOUDO_STREAMS_TOTAL: described(
    WholeNumber('CLOUDO_STREAMS_TOTAL', 1, 100_000).default(200),
    'live-log streams an instance serves at once (429 beyond)',
  ),
  ...AuthEnv,
  CLOUDO_STALE_WORKER_MS: described(
    Millis('CLOUDO_STALE_WORKER_MS', 1_000, 3_600_000).default(30_000),
    'a worker silent this long is gone: Housekeeping abandons its runs',
  ),
  CLOUDO_QUEUED_TIMEOUT_MS: described(
    Millis('CLOUDO_QUEUED_TIMEOUT_MS', 1_000, 7 * DAY_MS).default(15 * 60_000),
    'a run queued this long for a capability no live worker serves ends `error` and is announced',
  ),
  CLOUDO_ORPHAN_AFTER_MS: described(
    Millis('CLOUDO_ORPHAN_AFTER_MS', 1_000, DAY_MS).default(5 * 60_000),
    'a run still `accepted` this long (its trigger may have died before queueing it) is queued once more',
  ),
  ...WakeKeyEnv,
  ...WorkerKeyEnv,
  ...NotifyEnv,
  ...OidcEnv,
  CLOUDO_AKS_CLUSTERS: described(
    AksClusterList('CLOUDO_AKS_CLUSTERS').default([]),
    'AKS clusters (managed-cluster resource ids, comma or whitespace separated) whose alerts’ runs get AKS credentials under `aks_credentials: auto` (Terraform `aks_integration`)',
  ),
  ...RunbookIdentityEnv,
  ...ContainerGroupsEnv,
  CLOUDO_SCHEMAS_JSON: described(
    // checked when imported, not here: a mistake in one schema must not stop the whole app
    z.string().optional(),
    'schemas file imported at start (Terraform `schemas`)',
  ),
  CLOUDO_SCHEMAS_PRUNE: described(
    Bool('CLOUDO_SCHEMAS_PRUNE').default(false),
    'that import also deletes schemas the file lacks',
  ),
  CLOUDO_RETENTION_DAYS: described(
    WholeNumber('CLOUDO_RETENTION_DAYS', 1, 36_500, 'days').default(90),
    'days an ended run is kept, with its log and payloads (whole UTC days)',
  ),
  CLOUDO_AUDIT_RETENTION_DAYS: described(
    WholeNumber('CLOUDO_AUDIT_RETENTION_DAYS', 1, 36_500, 'days').default(365),
    'days an audit entry is kept',
  ),
  CLOUDO_DEAD_WORKER_RETENTION_MS: described(
    Millis('CLOUDO_DEAD_WORKER_RETENTION_MS', 1_000, 365 * DAY_MS).default(DAY_MS),
    'a worker silent this long leaves `/api/workers` (at least `CLOUDO_STALE_WORKER_MS`)',
  ),
  CLOUDO_RETENTION_BATCH_SIZE: described(
    WholeNumber('CLOUDO_RETENTION_BATCH_SIZE', 1, 5_000).default(500),
    'most runs (and audit entries) purged per Housekeeping tick: a backlog is worked off over many',
  ),
} satisfies EnvShape;

/** Managed-cluster ids, compared case-insensitively where used; anything else is named as a problem. */
function AksClusterList(name: string) {
  return z
    .string()
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .check((ctx) => {
      const wrong = ctx.value.filter((id) => !isManagedClusterId(id));
      if (wrong.length === 0) return;
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: `${name}: ${wrong.map((id) => JSON.stringify(id)).join(', ')} ${wrong.length === 1 ? 'is not a managed cluster id' : 'are not managed cluster ids'} (/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name>)`,
      });
    });
}

type FunctionsValues = z.output<z.ZodObject<typeof FunctionsEnv>>;

function retentionSettings(v: FunctionsValues, problems: string[]) {
  if (v.CLOUDO_DEAD_WORKER_RETENTION_MS < v.CLOUDO_STALE_WORKER_MS) {
    problems.push(
      `CLOUDO_DEAD_WORKER_RETENTION_MS (${v.CLOUDO_DEAD_WORKER_RETENTION_MS}) must be at least CLOUDO_STALE_WORKER_MS (${v.CLOUDO_STALE_WORKER_MS}): ` +
        'a worker would leave the list before it counts as gone',
    );
  }
  return {
    runDays: v.CLOUDO_RETENTION_DAYS,
    auditDays: v.CLOUDO_AUDIT_RETENTION_DAYS,
    deadWorkerMs: v.CLOUDO_DEAD_WORKER_RETENTION_MS,
    batchSize: v.CLOUDO_RETENTION_BATCH_SIZE,
  };
}

/** How long ClouDO keeps what it records; Housekeeping purges the rest, a bounded batch a tick. */
export type RetentionSettings = ReturnType<typeof retentionSettings>;

/** The functions app's settings. `readFile` reads `CLOUDO_ROUTING_RULES_FILE` (core does no I/O). */
export function loadAppSettings(env: Env, readFile: (path: string) => string = noFiles) {
  return loadSettings(
    FunctionsEnv,
    env,
    (v, storage, problems) => ({
      storage,
      auth: authSettings(v, problems),
      maxBodyBytes: v.CLOUDO_MAX_BODY_BYTES,
      maxAlertsPerRequest: v.CLOUDO_MAX_ALERTS_PER_REQUEST,
      liveLogStreams: { perCaller: v.CLOUDO_STREAMS_PER_CALLER, total: v.CLOUDO_STREAMS_TOTAL },
      staleWorkerMs: v.CLOUDO_STALE_WORKER_MS,
      queuedTimeoutMs: v.CLOUDO_QUEUED_TIMEOUT_MS,
      orphanAfterMs: v.CLOUDO_ORPHAN_AFTER_MS,
      /** Signs the nudges that wake a worker once its run is queued; null: none are sent. */
      wakeKey: v.CLOUDO_WAKE_KEY ?? null,
      /** Checks the workers' signed calls (federated tokens of runs); null: the app mints no run tokens. */
      workerKey: v.CLOUDO_WORKER_KEY ?? null,
      notify: notifySettings(v, problems, readFile, withoutBlanks(env)),
      aksClusters: v.CLOUDO_AKS_CLUSTERS,
      /** Which Azure identity each run acts as (resolveRunbookIdentity). */
      runbookIdentities: runbookIdentitySettings(v),
      /** Where isolated runs' container groups are, for housekeeping to delete orphans; null: none. */
      containerGroups: containerGroupsSettings(v),
      deployedSchemas: v.CLOUDO_SCHEMAS_JSON ? { json: v.CLOUDO_SCHEMAS_JSON, prune: v.CLOUDO_SCHEMAS_PRUNE } : null,
      retention: retentionSettings(v, problems),
      oidc: oidcSettings(v, v.CLOUDO_PUBLIC_URL, problems),
    }),
    (raw, problems) => {
      checkAuthVariables(raw, problems);
      checkNotifyVariables(raw, problems);
    },
  );
}

export type AppSettings = ReturnType<typeof loadAppSettings>;

function noFiles(path: string): string {
  throw new Error(`this process reads no files (${path})`);
}

export type RegistrationSettings = ReturnType<typeof loadRegistrationSettings>;

/** Trigger's auth level and the namespace that names the queues the queue functions listen on. */
export function loadRegistrationSettings(env: Env) {
  const problems: string[] = [];
  const values = parseEnv(RegistrationEnv, env, problems);
  if (!values) throw new SettingsError(problems);
  // unchecked here: a wrong namespace fails the calls that use storage, with its message, not registration
  return { triggerAuthLevel: values.CLOUDO_TRIGGER_AUTH_LEVEL, namespace: env.CLOUDO_STORAGE_NAMESPACE?.trim() ?? '' };
}
