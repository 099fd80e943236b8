export interface PollerOptions {
  /** Receives up to `max` items and hands them on; resolves with how many arrived. */
  readonly poll: (max: number) => Promise<number>;
  /** Free capacity right now (0 = don't poll). */
  readonly capacity: () => number;
  /** Resolves when capacity() may have become positive again. */
  readonly whenCapacity: () => Promise<void>;
  /** Pause after the first empty poll, doubled on each further one (default 25). */
  readonly minIntervalMs?: number;
  /** Ceiling of the pause while idle. */
  readonly maxIntervalMs: number;
  readonly onError: (err: unknown) => void;
}

/**
 * Polls as fast as work arrives and backs off exponentially while idle. One loop, one pending timer at
 * most, no overlapping polls; `stop()` cuts the current pause short and waits for the loop to end. The
 * one poll loop of ClouDO: the workers' job queues and the local host's queue functions.
 */
export class Poller {
  private readonly abort = new AbortController();
  private readonly stopped = new Promise<void>((resolve) =>
    this.abort.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  private loop: Promise<void> | undefined;
  private idleMs = 0;
  /** Ends the current idle pause early; set only while one lasts. */
  private cutPause: (() => void) | undefined;
  /** A wake() came while a poll was under way: that poll may have missed what the wake announced. */
  private wokenDuringPoll = false;

  constructor(private readonly options: PollerOptions) {
    if (options.maxIntervalMs <= 0) throw new Error('maxIntervalMs must be > 0');
  }

  start(): void {
    if (this.loop) throw new Error('poller already started');
    this.loop = this.run();
  }

  stop(): Promise<void> {
    this.abort.abort();
    return this.loop ?? Promise.resolve();
  }

  /**
   * Polls now instead of at the end of the idle pause, and starts the backoff over (work is likely to
   * follow). Nudges coalesce: many during one pause or one poll cost one poll more, not one each. While
   * there is no capacity it does nothing: the poller polls as soon as a slot frees anyway.
   */
  wake(): void {
    this.idleMs = 0;
    if (this.cutPause) this.cutPause();
    else this.wokenDuringPoll = true;
  }

  /** Pause before the next poll: none after a poll that found work, growing while idle. */
  nextDelayMs(received: number): number {
    if (received > 0) {
      this.idleMs = 0;
      return 0;
    }
    const min = this.options.minIntervalMs ?? 25;
    this.idleMs = Math.min(this.options.maxIntervalMs, this.idleMs === 0 ? min : this.idleMs * 2);
    return this.idleMs;
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      if (this.options.capacity() <= 0) {
        await Promise.race([this.options.whenCapacity(), this.stopped]);
        continue;
      }
      let received = 0;
      // a wake before this poll is answered by it; one during it asks for another
      this.wokenDuringPoll = false;
      try {
        received = await this.options.poll(this.options.capacity());
      } catch (err) {
        this.options.onError(err);
      }
      const delay = this.wokenDuringPoll ? 0 : this.nextDelayMs(received);
      if (delay > 0) await this.pause(delay);
    }
  }

  /** Resolves after `ms`, or at once on stop(); the global timer, so a test's fake clock drives it. */
  private pause(ms: number): Promise<void> {
    const { signal } = this.abort;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.cutPause = undefined;
        clearTimeout(timer);
        // removed each time: a listener per pause would pile up over a long idle life
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.cutPause = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
