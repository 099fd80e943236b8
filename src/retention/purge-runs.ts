import { deliveryKey } from '../core/alert-delivery.js';
import type { Execution } from '../core/execution.js';
import { PURGEABLE_STATUSES } from '../core/retention.js';
import type { Storage } from '../storage/index.js';

/** The stores a run's records live in. */
export type RunStores = Pick<
  Storage,
  'executions' | 'logs' | 'alertPayloads' | 'alertDeliveries' | 'notifications' | 'runLocks'
>;

/** Runs whose records are deleted at once: each is a handful of blob and table requests. */
const PARALLEL_RUNS = 25;

/**
 * Deletes at most `limit` ended runs requested before the UTC day of `beforeMs`, with their log, alert
 * payloads, notification ledger, delivery key and lock; returns how many. Rows go last: a tick that fails
 * half-way leaves the rows, and the next tick finds them and finishes (every delete tolerates "gone").
 */
export async function purgeRuns(stores: RunStores, beforeMs: number, limit: number): Promise<number> {
  const runs = await stores.executions.listRequestedBefore(beforeMs, PURGEABLE_STATUSES, limit);
  for (let i = 0; i < runs.length; i += PARALLEL_RUNS) {
    await Promise.all(runs.slice(i, i + PARALLEL_RUNS).map((run) => purgeRecordsOf(stores, run)));
  }
  await stores.executions.delete(runs.map((run) => run.execId));
  return runs.length;
}

async function purgeRecordsOf(stores: RunStores, run: Execution): Promise<void> {
  await Promise.all([
    stores.logs.delete(run.execId),
    stores.notifications.removeRun(run.execId),
    // only if this run still holds it: a later run of the same key may have taken it over
    run.exclusiveKey ? stores.runLocks.release(run.exclusiveKey, run.execId) : undefined,
    // alert runs, and only they, have a monitor condition and an alert blob
    run.monitorCondition ? purgeAlertOf(stores, run) : undefined,
  ]);
}

/**
 * The run's alert blob, the payload of the request it came in, and its delivery key (if it still points at
 * this run). The blob goes last: it names the other two, so a purge that fails before can be finished.
 *
 * A request's payload is shared by every run its alerts started, yet it goes with the first of them, by
 * age, without counting who else points at it: those runs were all requested during that one request, so
 * they cross the retention line together and are purged on the same tick or the next (the next day's, if
 * the request straddled midnight). The one run that could outlive its siblings is one that has not ended
 * after the whole retention, which approval expiry, abandonment and run timeouts rule out in practice; its
 * row and alert are kept, and at worst its runbook would get an empty CLOUDO_ALERT_FILE.
 */
async function purgeAlertOf(stores: RunStores, run: Execution): Promise<void> {
  const blob = await stores.alertPayloads.loadRun(run.execId);
  if (!blob) return;
  await Promise.all([
    blob.requestId ? stores.alertPayloads.deleteRequest(blob.requestId) : undefined,
    stores.alertDeliveries.release(run.schemaId, deliveryKey(blob.alert), run.execId),
  ]);
  await stores.alertPayloads.deleteRun(run.execId);
}
