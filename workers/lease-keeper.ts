import type { ReceivedMessage } from '../src/storage/index.js';

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
 * Keeps the messages of running runs invisible: each is renewed at half its visibility timeout, by a
 * chain of one-shot timers (a renewal never overlaps the previous one).
 */
export class LeaseKeeper {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: LeaseKeeperOptions) {
    if (options.visibilityTimeoutMs <= 0) throw new Error('visibilityTimeoutMs must be > 0');
  }

  /** Starts renewing `message` until `release` is called. */
  track(message: ReceivedMessage): () => void {
    if (this.closed) throw new Error('lease keeper is closed');
    this.schedule(message);
    return () => this.release(message);
  }

  get size(): number {
    return this.timers.size;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private release(message: ReceivedMessage): void {
    clearTimeout(this.timers.get(message.messageId));
    this.timers.delete(message.messageId);
  }

  private schedule(message: ReceivedMessage): void {
    const timer = setTimeout(async () => {
      try {
        await this.options.queue.renew(message, this.options.visibilityTimeoutMs);
      } catch (err) {
        this.options.onLost(message, err);
      }
      // released or closed while the renewal was in flight: stop the chain
      if (this.timers.get(message.messageId) === timer) this.schedule(message);
    }, this.options.visibilityTimeoutMs / 2);
    timer.unref();
    this.timers.set(message.messageId, timer);
  }
}
