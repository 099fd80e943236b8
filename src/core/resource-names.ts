/**
 * Names of every table, queue and container ClouDO uses. A namespace prefix lets several installations
 * (or several test suites on one Azurite) share one storage account without seeing each other.
 */

/**
 * What a Table key built from a name people write (a schema id, a schedule id) may be: keys may not hold
 * / \ # ? or control characters, and these stay URL-friendly too.
 */
export const TABLE_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Lower-case letters and digits only, so it is valid in table, queue and container names alike. */
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9]{0,11}$/;

export interface ResourceNames {
  readonly schemasTable: string;
  /** Schedules of runs (from the schemas file and the admin API) and the scheduler's state of each. */
  readonly schedulesTable: string;
  readonly executionsTable: string;
  readonly tokensTable: string;
  readonly auditTable: string;
  readonly logsContainer: string;
  readonly alertPayloadsContainer: string;
  /** One row per alert and condition per schema: the dedupe keys. */
  readonly alertDeliveriesTable: string;
  /** Locks of runs that must not overlap. */
  readonly runLocksTable: string;
  /** Heartbeats of the worker processes. */
  readonly workersTable: string;
  /** ResultMessages of finished runs, consumed by the results function. */
  readonly resultsQueue: string;
  /** What was sent to whom about each run: sent once per (execution, target, action). */
  readonly notificationsTable: string;
  /** Open pages per schema and resource (and their Slack thread). */
  readonly pagesTable: string;
  /** One row per run waiting for approval: the inbox and expiry read it instead of scanning Executions. */
  readonly pendingApprovalsTable: string;
  /** What each worker capability serves: a catalogue and its runbooks' source, published by the workers. */
  readonly runbookSourcesContainer: string;
  /** Per-day digests of finished runs, so statistics over days read one blob a day instead of every run. */
  readonly runDigestsContainer: string;
  /** Storage Queue that carries JobMessages for one worker capability. */
  jobQueue(worker: string): string;
  /** What every job queue's name (and its poison queue's) starts with. */
  readonly jobQueuePrefix: string;
  /** Where messages that can never be processed are parked for a human to look at. */
  poisonQueue(worker: string): string;
}

export function resourceNames(namespace = ''): ResourceNames {
  if (namespace !== '' && !NAMESPACE_PATTERN.test(namespace)) {
    throw new Error(`storage namespace "${namespace}" must match ${NAMESPACE_PATTERN}`);
  }
  const dash = namespace === '' ? '' : `${namespace}-`;
  return {
    schemasTable: `${namespace}RunbookSchemas`,
    schedulesTable: `${namespace}Schedules`,
    executionsTable: `${namespace}Executions`,
    tokensTable: `${namespace}ApiTokens`,
    auditTable: `${namespace}AuditLog`,
    logsContainer: `${dash}execution-logs`,
    alertPayloadsContainer: `${dash}alert-payloads`,
    alertDeliveriesTable: `${namespace}AlertDeliveries`,
    runLocksTable: `${namespace}RunLocks`,
    workersTable: `${namespace}Workers`,
    resultsQueue: `${dash}cloudo-results`,
    notificationsTable: `${namespace}Notifications`,
    pagesTable: `${namespace}Pages`,
    pendingApprovalsTable: `${namespace}PendingApprovals`,
    runbookSourcesContainer: `${dash}runbook-sources`,
    runDigestsContainer: `${dash}run-digests`,
    jobQueue: (worker) => `${dash}cloudo-jobs-${workerQueueSuffix(worker)}`,
    jobQueuePrefix: `${dash}cloudo-jobs-`,
    poisonQueue: (worker) => `${dash}cloudo-jobs-${workerQueueSuffix(worker)}-poison`,
  };
}

/** Worker capability names as users write them (`Runbook`, `aks_weu`). */
export const WORKER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$/;

/**
 * Maps a worker capability to the part of a queue name that identifies it: queue names allow only
 * lower-case letters, digits and single hyphens, so `Runbook` → `runbook`, `aks_weu` → `aks-weu`.
 */
export function workerQueueSuffix(worker: string): string {
  if (!WORKER_NAME_PATTERN.test(worker)) {
    throw new Error(`worker "${worker}" must match ${WORKER_NAME_PATTERN}`);
  }
  const suffix = worker.toLowerCase().replace(/[_.]/g, '-').replace(/-{2,}/g, '-').replace(/-+$/, '');
  return suffix;
}
