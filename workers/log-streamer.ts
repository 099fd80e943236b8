/** What the streamer needs from the log store. */
export interface LogAppender {
  append(execId: string, data: Uint8Array): Promise<void>;
}

export interface LogStreamerOptions {
  readonly store: LogAppender;
  readonly execId: string;
  /** How often buffered output is appended. */
  readonly flushIntervalMs: number;
  /** Called when an append fails; the bytes stay buffered and go with the next flush. */
  readonly onError: (err: unknown) => void;
}

/**
 * Buffers a run's output and appends it to the log blob every `flushIntervalMs`: live enough to follow,
 * without one storage call per line. Flushes are chained, never concurrent, so order is kept.
 */
export class LogStreamer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: LogStreamerOptions) {
    if (options.flushIntervalMs <= 0) throw new Error('flushIntervalMs must be > 0');
  }

  /** Bytes stored so far. */
  get bytesWritten(): number {
    return this.written;
  }

  write(chunk: Buffer): void {
    if (this.closed) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.flushIntervalMs);
  }

  /** Appends whatever is buffered; resolves when it is stored (or has failed and stays buffered). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pendingBytes === 0) return;
      const data = Buffer.concat(this.pending);
      this.pending = [];
      this.pendingBytes = 0;
      try {
        await this.options.store.append(this.options.execId, data);
        this.written += data.length;
      } catch (err) {
        this.pending.unshift(data);
        this.pendingBytes += data.length;
        this.options.onError(err);
      }
    });
    return this.flushing;
  }

  /** Stops the timer and stores the rest; returns the total size stored. */
  async close(): Promise<number> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    if (this.pendingBytes > 0) await this.flush();
    return this.written;
  }
}
