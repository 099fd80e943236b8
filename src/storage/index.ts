import type { ResourceNames } from '../core/resource-names.js';
import { resourceNames } from '../core/resource-names.js';
import type { StorageSettings } from '../core/storage-settings.js';
import { AlertDeliveries } from './alert-deliveries.js';
import { AlertPayloadStore } from './alert-payload-store.js';
import { AuditLog } from './audit-log.js';
import type { StorageClients, StorageRetry } from './clients.js';
import { createStorageClients } from './clients.js';
import { ExecutionRepository } from './execution-repository.js';
import { JobQueue } from './job-queue.js';
import { LogStore } from './log-store.js';
import { NotificationLedger } from './notification-ledger.js';
import { ResultQueue } from './result-queue.js';
import { RunDigestStore } from './run-digests.js';
import { RunLocks } from './run-locks.js';
import { RunbookSourceStore } from './runbook-sources.js';
import { ScheduleRepository } from './schedule-repository.js';
import { SchemaRepository } from './schema-repository.js';
import { TokenRepository } from './token-repository.js';
import { WorkerRegistry } from './worker-registry.js';

export type { DeliveryClaim } from './alert-deliveries.js';
export { AlertDeliveries } from './alert-deliveries.js';
export type { AlertPayload, PendingRequest } from './alert-payload-store.js';
export { AlertPayloadStore } from './alert-payload-store.js';
export { AppendOnlyLog } from './append-only-log.js';
export type { AuditQuery } from './audit-log.js';
export { AuditLog } from './audit-log.js';
export type { StorageClients, StorageRetry } from './clients.js';
export { isStorageUnavailable, lazyDefaultCredential } from './clients.js';
export type {
  ExecutionChange,
  ExecutionPage,
  ExecutionQuery,
  VersionedExecution,
  VersionedRun,
} from './execution-repository.js';
export { ConcurrentUpdateError, ExecutionRepository } from './execution-repository.js';
export type { ForeignTableRead } from './foreign-table.js';
export { readForeignTable } from './foreign-table.js';
export type { ReceivedMessage } from './job-queue.js';
export { consumerQueue, JobQueue, WorkerQueue } from './job-queue.js';
export type { LogPart } from './log-store.js';
export { LogStore } from './log-store.js';
export type { LedgerEntry, PageState } from './notification-ledger.js';
export { NotificationLedger } from './notification-ledger.js';
export { ResultQueue } from './result-queue.js';
export { RunDigestStore } from './run-digests.js';
export { RunLocks } from './run-locks.js';
export type { PublishedSource, RunbookSourceRead } from './runbook-sources.js';
export { RunbookSourceStore } from './runbook-sources.js';
export type { ScheduleImportReport, SchedulePut } from './schedule-repository.js';
export { formatScheduleImport, ScheduleRepository, scheduleImportChanges } from './schedule-repository.js';
export type { SchemaImportReport } from './schema-repository.js';
export { SchemaRepository, schemaImportChanges } from './schema-repository.js';
export { StoredDataError } from './stored-value.js';
export { TokenRepository } from './token-repository.js';
export { WorkerPresence } from './worker-presence.js';
export type { WorkerBeat } from './worker-registry.js';
export { WorkerRegistry } from './worker-registry.js';

/** Every repository of one installation (one storage account, one namespace). */
export interface Storage {
  readonly names: ResourceNames;
  readonly clients: StorageClients;
  readonly schemas: SchemaRepository;
  /** Schedules of runs and the scheduler's state of each (Table Schedules). */
  readonly schedules: ScheduleRepository;
  readonly executions: ExecutionRepository;
  readonly jobs: JobQueue;
  readonly logs: LogStore;
  readonly tokens: TokenRepository;
  readonly audit: AuditLog;
  readonly alertPayloads: AlertPayloadStore;
  readonly alertDeliveries: AlertDeliveries;
  readonly runLocks: RunLocks;
  readonly workers: WorkerRegistry;
  readonly results: ResultQueue;
  readonly notifications: NotificationLedger;
  /** What each worker capability serves, published by its workers for the app. */
  readonly runbookSources: RunbookSourceStore;
  /** Digests of settled days of runs, for statistics over days. */
  readonly runDigests: RunDigestStore;
  /** Creates the tables and the log container if they are missing (queues are made on first use). */
  ensureResources(): Promise<void>;
  /** Round-trips to each service and says which answered. */
  /** Whether each service answers within `timeoutMs` (default 900). */
  ping(timeoutMs?: number): Promise<{ table: boolean; queue: boolean; blob: boolean }>;
}

export function createStorage(settings: StorageSettings, retry: StorageRetry = 'patient'): Storage {
  const names = resourceNames(settings.namespace);
  const clients = createStorageClients(settings.connection, retry);
  const schemas = new SchemaRepository(clients.table(names.schemasTable));
  const schedules = new ScheduleRepository(clients.table(names.schedulesTable));
  const executions = new ExecutionRepository(
    clients.table(names.executionsTable),
    clients.table(names.pendingApprovalsTable),
  );
  const jobs = new JobQueue(clients, names);
  const logs = new LogStore(clients.container(names.logsContainer));
  const tokens = new TokenRepository(clients.table(names.tokensTable));
  const audit = new AuditLog(clients.table(names.auditTable));
  const alertPayloads = new AlertPayloadStore(clients.container(names.alertPayloadsContainer));
  const alertDeliveries = new AlertDeliveries(clients.table(names.alertDeliveriesTable));
  const runLocks = new RunLocks(clients.table(names.runLocksTable));
  const runbookSources = new RunbookSourceStore(clients.container(names.runbookSourcesContainer));
  const runDigests = new RunDigestStore(clients.container(names.runDigestsContainer));
  const workers = new WorkerRegistry(clients.table(names.workersTable));
  const results = new ResultQueue(clients.queue(names.resultsQueue), logs);
  const notifications = new NotificationLedger(
    clients.table(names.notificationsTable),
    clients.table(names.pagesTable),
  );
  return {
    names,
    clients,
    schemas,
    schedules,
    executions,
    jobs,
    logs,
    tokens,
    audit,
    alertPayloads,
    alertDeliveries,
    runLocks,
    workers,
    results,
    notifications,
    runbookSources,
    runDigests,
    async ensureResources() {
      await Promise.all([
        schemas.ensureTable(),
        schedules.ensureTable(),
        executions.ensureTable(),
        tokens.ensureTable(),
        audit.ensureTable(),
        alertDeliveries.ensureTable(),
        runLocks.ensureTable(),
        workers.ensureTable(),
        notifications.ensureTables(),
        logs.ensureContainer(),
        alertPayloads.ensureContainer(),
        runbookSources.ensureContainer(),
        runDigests.ensureContainer(),
      ]);
    },
    async ping(timeoutMs = 900) {
      const ok = (p: Promise<unknown>) =>
        p.then(
          () => true,
          () => false,
        );
      // a health check that hangs while storage does tells nobody anything: each probe has a deadline
      const abortSignal = AbortSignal.timeout(timeoutMs);
      const [table, queue, blob] = await Promise.all([
        ok(clients.table(names.executionsTable).getAccessPolicy({ abortSignal })),
        ok(clients.queue(names.jobQueue('probe')).exists({ abortSignal })),
        ok(clients.container(names.logsContainer).exists({ abortSignal })),
      ]);
      return { table, queue, blob };
    },
  };
}
