import type { AlertContext } from '../core/alert-context.js';
import { deliveryKey } from '../core/alert-delivery.js';
import type { RunTrigger } from '../core/execution.js';
import { newExecId } from '../core/execution.js';
import { countDelivery, planUnmatched } from '../core/run-plan.js';
import { DEFAULT_DEDUPE_WINDOW_MINUTES } from '../core/runbook-schema.js';
import type { Storage } from '../storage/index.js';
import { ConcurrentUpdateError } from '../storage/index.js';
import type { RunAlertWriter } from './run-alert.js';

/** AlertDeliveries partition of alerts no schema handles: no schema id contains "~". */
export const UNMATCHED_PARTITION = '~unmatched';

/**
 * Repeats of an unmatched alert (same alert, same condition) within this window of its first delivery
 * count on its row instead of writing another: a schema's default window, as there is no schema to ask.
 */
export const UNMATCHED_DEDUPE_WINDOW_MS = DEFAULT_DEDUPE_WINDOW_MINUTES * 60_000;

/** Each failed ETag write means another delivery's count landed, so a storm of up to this many all count. */
const COUNT_ATTEMPTS = 50;

/** The row one delivery of an unmatched alert was recorded on. */
export interface UnmatchedRecord {
  readonly execId: string;
  /** The row was there already and this delivery was counted on it. */
  readonly isRepeat: boolean;
  readonly reason: string | null;
}

/**
 * Records alerts no schema handles, one `unmatched` row per alert and condition within the window
 * (Alertmanager repeating an alert every few seconds must not fill the run list), counting deliveries.
 */
export class UnmatchedAlerts {
  constructor(
    private readonly storage: Storage,
    private readonly now: () => Date,
  ) {}

  /** `saveAlert` stores the alert of the row it records, and its request's payload (see AlertIntake). */
  async record(alert: AlertContext, trigger: RunTrigger, saveAlert: RunAlertWriter): Promise<UnmatchedRecord> {
    const now = this.now();
    const candidate = newExecId(now.getTime());
    const key = deliveryKey(alert);
    const claim = await this.storage.alertDeliveries.claim(
      UNMATCHED_PARTITION,
      key,
      candidate,
      now,
      UNMATCHED_DEDUPE_WINDOW_MS,
    );
    // a repeat may get here before the first delivery wrote the row: it writes the very row the first
    // would (same id, same time), and whichever insert comes second counts itself on it instead
    const row =
      claim.kind === 'new'
        ? planUnmatched(alert, trigger, now, candidate)
        : planUnmatched(alert, trigger, new Date(claim.at), claim.execId);
    let isCreated: boolean;
    try {
      isCreated = await this.storage.executions.createIfAbsent(row);
    } catch (err) {
      if (claim.kind === 'new') await this.storage.alertDeliveries.release(UNMATCHED_PARTITION, key, candidate);
      throw err;
    }
    if (!isCreated) {
      await this.countOn(row.execId);
      return { execId: row.execId, isRepeat: true, reason: row.error };
    }
    // its alert is kept like a run's, so routing can match its severity, namespace and resource group
    await saveAlert(row.execId, alert);
    // announced once per row, not per delivery; the results function says something only when a
    // routing rule asks for unmatched alerts (none does by default)
    await this.storage.results.publish(row);
    return { execId: row.execId, isRepeat: false, reason: row.error };
  }

  private async countOn(execId: string): Promise<void> {
    try {
      await this.storage.executions.change(
        execId,
        (current) => (current ? { write: countDelivery(current.execution), result: null } : { result: null }),
        COUNT_ATTEMPTS,
      );
    } catch (err) {
      // the delivery is recorded either way: an error would only make the sender retry and count it twice
      if (!(err instanceof ConcurrentUpdateError)) throw err;
    }
  }
}
