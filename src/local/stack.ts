import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { apiTokenRecordFor } from '../core/api-token.js';
import { loadAppSettings } from '../core/settings.js';
import { createAppServices, createFunctionDefinitions, registrationOptions } from '../functions/index.js';
import type { SchemaImportReport, Storage } from '../storage/index.js';
import { formatScheduleImport } from '../storage/index.js';
import type { RunningAzurite } from './azurite.js';
import { startAzurite } from './azurite.js';
import type { RunningHttpHost } from './http-host.js';
import { startHttpHost } from './http-host.js';
import type { LocalKeys } from './local-keys.js';
import { loadOrCreateLocalKeys, localKeyNames } from './local-keys.js';
import { startQueueFunctions } from './queue-runner.js';
import { readStackSchemas } from './stack-schemas.js';
import type { ProcessSpec } from './supervisor.js';
import { Supervisor } from './supervisor.js';
import { startTimers } from './timer-runner.js';
import { workerProcess } from './worker-process.js';

export interface LocalStackOptions {
  /** HTTP port of the functions (7071 like Core Tools; 0 picks a free one). */
  readonly port: number;
  /** Azurite data folder; null keeps everything in memory. */
  readonly azuriteLocation: string | null;
  readonly azuritePorts: { readonly blob: number; readonly queue: number; readonly table: number };
  readonly schemasFile: string;
  readonly runbooksDir: string;
  /** Storage namespace (`CLOUDO_STORAGE_NAMESPACE`). */
  readonly namespace: string;
  /**
   * Enforce keys, roles and tokens as production does (`--secure`), with the credentials of
   * `<stateDir>/keys.json`; otherwise every caller is let in, as with Core Tools.
   */
  readonly secure: boolean;
  /** Where keys.json lives. */
  readonly stateDir: string;
  /** Environment handed to the app settings and the workers (poll interval, concurrency...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (source: string, line: string) => void;
  /**
   * Run the timer functions (Housekeeping) this often instead of on their schedule
   * (`CLOUDO_LOCAL_TIMER_INTERVAL_MS`); null or absent: on their schedule, as in Azure.
   */
  readonly timerIntervalMs?: number | null;
  /**
   * Workers listen for wake-up nudges on free loopback ports and the app nudges them once a run is queued
   * (default true); false leaves runs to the workers' polling (the benchmark's comparison).
   */
  readonly wake?: boolean;
  /** Told when a worker restarted with a new pid (see LocalStack.childPids). */
  readonly onChildPidsChange?: () => void;
}

export interface LocalStack {
  readonly url: string;
  readonly azurite: RunningAzurite;
  readonly imported: SchemaImportReport;
  readonly workers: readonly string[];
  /** Whether runbooks run as accounts of their own (`CLOUDO_RUNBOOK_UIDS`, root or capabilities needed). */
  readonly runbookIsolation: 'separate-users' | 'none';
  /** The credentials in force when secure. */
  readonly keys: LocalKeys | null;
  /** Azurite's and the running workers' pids, as they are now (workers restart with new pids). */
  childPids(): number[];
  stop(): Promise<void>;
}

/** Azurite, the functions and one worker per capability, wired together as in Azure. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { schemas, schedules } = await readStackSchemas(options.schemasFile, (line) => options.log('stack', line));
  let azurite: RunningAzurite | undefined;
  // Azurite, then the workers: listed in stack.json in that order, stopped in the reverse one
  const supervisor = new Supervisor((pids) => {
    // should this process die, Azurite stays up for the workers' last writes
    azurite?.setDependents(pids.filter((pid) => pid !== azurite?.pid));
    options.onChildPidsChange?.();
  });
  azurite = await startAzurite({
    supervisor,
    onLine: (line) => options.log('azurite', line),
    location: options.azuriteLocation ?? undefined,
    blobPort: options.azuritePorts.blob,
    queuePort: options.azuritePorts.queue,
    tablePort: options.azuritePorts.table,
    // beside the data, and kept in memory mode too: it is where Azurite's errors go
    logFile: path.join(options.stateDir, 'azurite.log'),
  });
  const running = azurite;
  // the supervisor stops the workers, then Azurite; Azurite's own stop() after it removes what it made
  const stops: (() => Promise<void>)[] = [() => running.stop(), () => supervisor.stop()];
  const stop = async () => {
    // last started, first stopped: no new triggers, then let workers finish, then storage
    for (const s of stops.reverse()) await s().catch((err) => options.log('stack', `stop failed: ${String(err)}`));
  };
  try {
    const storageEnv = {
      ...options.env,
      AzureWebJobsStorage: azurite.connectionString,
      CLOUDO_STORAGE_NAMESPACE: options.namespace,
      ...wakeEnv(options),
      ...runTokenEnv(options),
    };
    const keys = options.secure ? (await loadOrCreateLocalKeys(options.stateDir)).keys : null;
    const services = createAppServices(
      loadAppSettings({
        ...storageEnv,
        ...localOidcEnv(options),
        CLOUDO_ENV: 'development',
        CLOUDO_LOCAL_AUTH: options.secure ? 'on' : 'off',
        // this host knows its keys: the audit log names them, next to any names the user set
        CLOUDO_FUNCTION_KEY_NAMES: [options.env.CLOUDO_FUNCTION_KEY_NAMES, keys && localKeyNames(keys)]
          .filter(Boolean)
          .join(','),
      }),
    );
    await services.storage.ensureResources();
    const imported = await services.storage.schemas.importSchemas(schemas);
    const schedulesImported = await services.storage.schedules.importFromFile(schedules);
    for (const line of formatScheduleImport(schedulesImported)) options.log('stack', line);
    // as the Functions app does at start in Azure: a deployment's CLOUDO_SCHEMAS_JSON comes on top
    await services.deployedSchemas.sync((_level, message) => options.log('stack', message));
    if (keys) await ensureAdminToken(services.storage, keys.adminToken);

    const capabilities = [...new Set(schemas.map((s) => s.worker))].sort();
    for (const worker of capabilities) await services.storage.jobs.forWorker(worker).ensureQueues();
    supervisor.startGroup(workerProcesses(capabilities, storageEnv, options));

    const definitions = createFunctionDefinitions(() => services, registrationOptions(storageEnv));
    const log = (name: string, level: string, args: unknown[]) =>
      options.log(`fn:${name}`, `${level} ${args.map(String).join(' ')}`);
    const timers = startTimers(definitions, log, options.timerIntervalMs ?? null);
    stops.push(() => timers.stop());
    const queueFunctions = startQueueFunctions(definitions, services.storage.clients, log);
    stops.push(() => queueFunctions.stop());
    const host: RunningHttpHost = await startHttpHost({
      definitions,
      port: options.port,
      keys: keys ? { functionKeys: [keys.functionKey], masterKey: keys.masterKey } : null,
      log,
    });
    stops.push(() => host.close());
    return {
      url: host.url,
      azurite: running,
      imported,
      workers: capabilities,
      runbookIsolation: options.env.CLOUDO_RUNBOOK_UIDS ? 'separate-users' : 'none',
      keys,
      childPids: () => supervisor.pids(),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** One worker process per capability, the same program a container runs, sharing out the runbook uids. */
function workerProcesses(
  capabilities: readonly string[],
  storageEnv: Readonly<Record<string, string | undefined>>,
  options: Pick<LocalStackOptions, 'env' | 'runbooksDir' | 'log'>,
): ProcessSpec[] {
  const uids = options.env.CLOUDO_RUNBOOK_UIDS;
  return capabilities.map((worker, index) =>
    workerProcess({
      worker,
      env: {
        ...storageEnv,
        RUNBOOKS_DIR: path.resolve(options.runbooksDir),
        ...(uids && { CLOUDO_RUNBOOK_UIDS: uidShare(uids, index, capabilities.length) }),
      },
      onLine: (line) => options.log(`worker:${worker}`, line),
    }),
  );
}

/**
 * The key app and workers share for nudges (the user's, or one for this stack's life: nothing outside it
 * needs it); without wake-up, none, so the app sends no nudge and workers open no port.
 */
function wakeEnv(options: Pick<LocalStackOptions, 'env' | 'wake'>): Record<string, string | undefined> {
  if (options.wake === false)
    return { CLOUDO_WAKE_KEY: undefined, CLOUDO_WAKE_PORT: undefined, CLOUDO_WAKE_URL: undefined };
  return {
    CLOUDO_WAKE_KEY: options.env.CLOUDO_WAKE_KEY?.trim() || randomBytes(32).toString('base64url'),
    // one worker per capability on one machine: each takes a free port and says which in Table Workers
    CLOUDO_WAKE_PORT: '0',
    CLOUDO_WAKE_URL: undefined,
  };
}

/**
 * What workers fetch their runs' Azure tokens with: the app's address and the key both sides share (the
 * user's, or one for this stack's life). Only on a known port: a worker started before a port-0 host
 * binds could not know where to call, and then it runs runbooks with no Azure identity, as it says.
 */
function runTokenEnv(options: Pick<LocalStackOptions, 'env' | 'port'>): Record<string, string | undefined> {
  if (options.port === 0) return {};
  return {
    CLOUDO_WORKER_KEY: options.env.CLOUDO_WORKER_KEY?.trim() || randomBytes(32).toString('base64url'),
    CLOUDO_APP_URL: options.env.CLOUDO_APP_URL?.trim() || `http://127.0.0.1:${options.port}`,
  };
}

/** The admin token of keys.json exists in the token table (in-memory storage starts empty every time). */
async function ensureAdminToken(storage: Storage, token: string): Promise<void> {
  const record = apiTokenRecordFor(token, { role: 'admin', owner: 'local-admin', description: 'npm start --secure' });
  if (record && !(await storage.tokens.get(record.id))) await storage.tokens.create(record);
}

/**
 * Worker `index` of `count`'s share of a uid range (`20000-20063`): workers of one machine must never
 * hand out the same uid, or a run ending would kill another worker's run. A share too small for the
 * worker's concurrency is refused by the worker, naming both.
 */
export function uidShare(range: string, index: number, count: number): string {
  const [first = 0, last = first] = range.split('-').map(Number);
  const size = Math.floor((last - first + 1) / count);
  const start = first + index * size;
  return `${start}-${start + size - 1}`;
}

/**
 * The local stack as an OIDC issuer: its signing keys beside keys.json, and (unless the user named a
 * public URL) this host's own address as the issuer, so `--port` moves it too. Port 0 is known only once
 * the host listens; then the settings' default stands.
 */
function localOidcEnv(options: LocalStackOptions): Record<string, string> {
  const { env } = options;
  return {
    CLOUDO_OIDC_KEY_FILE: env.CLOUDO_OIDC_KEY_FILE || path.join(options.stateDir, 'oidc-signing-keys.json'),
    ...(!env.CLOUDO_OIDC_ISSUER && !env.CLOUDO_PUBLIC_URL && options.port !== 0
      ? { CLOUDO_OIDC_ISSUER: `http://localhost:${options.port}/api` }
      : {}),
  };
}
