import type { AlertContext } from '../core/alert-context.js';
import { deliveryKey } from '../core/alert-delivery.js';
import type { Execution } from '../core/execution.js';
import { KEPT_STATUSES } from '../core/retention.js';
import type { Storage } from '../storage/index.js';

/** The stores a run's records live in. */
export type RunStores = Pick<
  Storage,
  'executions' | 'logs' | 'alertPayloads' | 'alertDeliveries' | 'notifications' | 'runLocks'
>;

/** Requests about single runs (alert blobs, delivery keys, locks) in flight at once. */
const PARALLEL_REQUESTS = 25;

/**
 * Deletes at most `limit` ended runs requested before the UTC day of `beforeMs`, with their log, alert
 * payloads, notification ledger, delivery key and lock; returns how many. What can be deleted in bulk is
 * (logs and blobs a few hundred to a request, rows a hundred to a transaction, the ledger by one range);
 * only alert runs and runs with a lock cost requests of their own. The runs' alert blobs and rows go last,
 * since they name the rest: a tick that fails half-way leaves them, and the next tick finds them and
 * finishes (every delete takes "gone already" as done).
 */
export async function purgeRuns(stores: RunStores, beforeMs: number, limit: number): Promise<number> {
  const runs = await stores.executions.listRequestedBefore(beforeMs, KEPT_STATUSES, limit);
  if (runs.length === 0) return 0;
  const execIds = runs.map((run) => run.execId);
  // alert runs, and only they, have a monitor condition and an alert blob
  const alertRuns = runs.filter((run) => run.monitorCondition !== null);
  const alerts = await eachRun(alertRuns, async (run) => ({
    run,
    blob: await stores.alertPayloads.loadRun(run.execId),
  }));
  await Promise.all([
    stores.logs.delete(execIds),
    stores.notifications.removeRuns(execIds),
    stores.alertPayloads.deleteRequests(requestsOf(alerts.map(({ blob }) => blob))),
    eachRun(alerts, ({ run, blob }) => (blob ? releaseDelivery(stores, run, blob.alert) : undefined)),
    // only if this run still holds it: a later run of the same key may have taken it over
    eachRun(runs, (run) => (run.exclusiveKey ? stores.runLocks.release(run.exclusiveKey, run.execId) : undefined)),
  ]);
  await stores.alertPayloads.deleteRuns(alertRuns.map((run) => run.execId));
  await stores.executions.delete(execIds);
  return runs.length;
}

/**
 * The payloads of the requests these runs came in, each once.
 *
 * A request's payload is shared by every run its alerts started, yet it goes with the first of them, by
 * age, without counting who else points at it: those runs were all requested during that one request, so
 * they cross the retention line together and are purged on the same tick or the next (the next day's, if
 * the request straddled midnight). The one run that could outlive its siblings is one that has not ended
 * after the whole retention, which approval expiry, abandonment and run timeouts rule out in practice; its
 * row and alert are kept, and at worst its runbook would get an empty CLOUDO_ALERT_FILE.
 */
function requestsOf(blobs: readonly ({ requestId: string | null } | null)[]): string[] {
  return [...new Set(blobs.flatMap((blob) => (blob?.requestId ? [blob.requestId] : [])))];
}

/** The delivery key of the run's alert, if it still points at this run (a later delivery may have renewed it). */
function releaseDelivery(stores: RunStores, run: Execution, alert: AlertContext): Promise<void> {
  // an unmatched alert's key expires with its window: no schema's partition holds it
  if (run.schemaId === null) return Promise.resolve();
  return stores.alertDeliveries.release(run.schemaId, deliveryKey(alert), run.execId);
}

/** `act` on every item, `PARALLEL_REQUESTS` at a time; the results in order. */
async function eachRun<T, R>(items: readonly T[], act: (item: T) => Promise<R> | R): Promise<Awaited<R>[]> {
  const results: Awaited<R>[] = [];
  for (let i = 0; i < items.length; i += PARALLEL_REQUESTS) {
    results.push(...(await Promise.all(items.slice(i, i + PARALLEL_REQUESTS).map(act))));
  }
  return results;
}
