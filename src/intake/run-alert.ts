import type { AlertContext } from '../core/alert-context.js';
import type { PendingRequest, Storage } from '../storage/index.js';

/** Stores the alert of a run (or unmatched row) just recorded, and its request's payload. */
export type RunAlertWriter = (execId: string, alert: AlertContext) => Promise<void>;

/**
 * Writes a run's own blob beside its request's payload rather than after it: the run's blob needs only the
 * request's id. Settles once both are stored, so the run is queued only then.
 */
export async function saveRunAlert(
  storage: Pick<Storage, 'alertPayloads'>,
  execId: string,
  alert: AlertContext,
  request: PendingRequest,
): Promise<void> {
  await Promise.all([request.stored, storage.alertPayloads.save(execId, { alert, requestId: request.requestId })]);
}
