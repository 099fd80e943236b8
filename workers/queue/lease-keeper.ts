import { Ticker } from '../../src/core/ticker.js';
import type { ReceivedMessage } from '../../src/storage/index.js';

/** What the lease keeper needs from a queue. */
export interface LeaseRenewer {
  renew(message: ReceivedMessage, visibilityTimeoutMs: number): Promise<void>;
}

export interface LeaseKeeperOptions {
  readonly queue: LeaseRenewer;
  /** Visibility granted by each renewal; renewals happen at half of it. */
  readonly visibilityTimeoutMs: number;
  /** Called when a renewal fails: the message may reappear and be delivered again. */
  readonly onLost: (message: ReceivedMessage, err: unknown) => void;
}

/**
 * Keeps the messages of running runs invisible: each is renewed at half its visibility timeout (a renewal
 * never overlaps the previous one).
 */
export class LeaseKeeper {
  private readonly leases = new Map<string, Ticker>();
  private closed = false;

  constructor(private readonly options: LeaseKeeperOptions) {
    if (options.visibilityTimeoutMs <= 0) throw new Error('visibilityTimeoutMs must be > 0');
  }

  /**
   * Starts renewing `message`. The returned release stops it and resolves once no renewal is in flight:
   * every renewal changes the pop receipt, so a delete racing a renewal would use a stale one.
   */
  track(message: ReceivedMessage): () => Promise<void> {
    if (this.closed) throw new Error('lease keeper is closed');
    const { queue, visibilityTimeoutMs, onLost } = this.options;
    const renew = () => queue.renew(message, visibilityTimeoutMs).catch((err: unknown) => onLost(message, err));
    this.leases.set(message.messageId, new Ticker(renew, visibilityTimeoutMs / 2).start());
    return () => this.release(message.messageId);
  }

  get size(): number {
    return this.leases.size;
  }

  close(): void {
    this.closed = true;
    for (const lease of this.leases.values()) void lease.stop();
    this.leases.clear();
  }

  private async release(messageId: string): Promise<void> {
    const lease = this.leases.get(messageId);
    if (!lease) return;
    this.leases.delete(messageId);
    await lease.stop();
  }
}
