import type { Delivery, Notification, Notifier } from '../core/notification.js';
import type { Storage } from '../storage/index.js';
import { ConcurrentUpdateError } from '../storage/index.js';
import type { Target } from './plan.js';
import type { TeamNotifiers } from './team-notifiers.js';
import { notifierFor } from './team-notifiers.js';

/** A send failed in a way worth trying again: the results message comes back after its visibility timeout. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

export interface SendRoundOptions {
  readonly storage: Pick<Storage, 'notifications' | 'executions'>;
  /** Configured targets; a missing one is simply not notified. */
  readonly notifiers: Partial<Record<Target, Notifier>>;
  /** Teams' own notifiers; a team without one for a target sends with `notifiers`'. Default: none. */
  readonly teamNotifiers?: TeamNotifiers;
  readonly execId: string;
  /** The last delivery of the results message: failures are recorded instead of retried. */
  readonly lastAttempt: boolean;
}

/**
 * The sends made for one delivery of a results message, each recorded in the ledger under its key when it
 * succeeds. A retryable failure marks the round to be retried (the whole message comes back; what was sent
 * is skipped then); on the last attempt, and for failures that would repeat, the reason is recorded and
 * put on the run for the console.
 */
export class SendRound {
  readonly #options: SendRoundOptions;
  readonly #gaveUp: string[] = [];
  #retryReason: string | null = null;

  constructor(options: SendRoundOptions) {
    this.#options = options;
  }

  get lastAttempt(): boolean {
    return this.#options.lastAttempt;
  }

  /** Whether the send recorded under `key` was made already. */
  async wasSent(key: string): Promise<boolean> {
    return (await this.#options.storage.notifications.get(this.#options.execId, key))?.status === 'sent';
  }

  /** The notifier that sends to `target` as `team` (see `notifierFor`). */
  notifierFor(target: Target, team: string | null): Notifier | undefined {
    return notifierFor(this.#options.notifiers, this.#options.teamNotifiers ?? new Map(), target, team);
  }

  /**
   * Makes one send as `team` (its token or key, else the default) and records it under `key`; the
   * delivery when it succeeded, else null.
   */
  async send(
    target: Target,
    notification: Notification,
    key: string,
    team: string | null = null,
  ): Promise<Extract<Delivery, { ok: true }> | null> {
    const { storage, execId, lastAttempt } = this.#options;
    const notifier = this.notifierFor(target, team);
    if (!notifier) return null;
    const delivery = await notifier.send(notification);
    const at = new Date().toISOString();
    if (delivery.ok) {
      await storage.notifications.record(execId, key, {
        status: 'sent',
        ref: delivery.ref,
        channel: delivery.channel ?? null,
        reason: null,
        at,
      });
      return delivery;
    }
    if (delivery.retryable && !lastAttempt) {
      this.retryLater(`${notifier.name}: ${delivery.reason}`);
      return null;
    }
    await storage.notifications.record(execId, key, { status: 'failed', ref: null, reason: delivery.reason, at });
    this.#gaveUp.push(`${notifier.name} ${notification.action}: ${delivery.reason}`);
    return null;
  }

  /** Asks for the results message back later; the first reason is the one reported. */
  retryLater(reason: string): void {
    this.#retryReason ??= reason;
  }

  /** Puts what was given up on the run, then throws RetryLaterError when something should be tried again. */
  async finish(): Promise<void> {
    if (this.#gaveUp.length > 0) await this.#recordNotifyError(this.#gaveUp.join('; '));
    if (this.#retryReason) throw new RetryLaterError(`will retry: ${this.#retryReason}`);
  }

  /** The reason notifications gave up, on the run for the console (its status stays as it was). */
  async #recordNotifyError(reason: string): Promise<void> {
    try {
      await this.#options.storage.executions.change(this.#options.execId, (current) =>
        current
          ? { write: { ...current.execution, notifyError: reason.slice(0, 1000) }, result: null }
          : { result: null },
      );
    } catch (err) {
      // a run changing this often is being decided or finished: its own result will report again
      if (!(err instanceof ConcurrentUpdateError)) throw err;
    }
  }
}
