import { Ticker } from '../../src/core/ticker.js';

/** What the watcher needs from the executions table. */
export interface CancelSource {
  /** Who asked to cancel the run, or null. */
  cancelRequestedBy(execId: string): Promise<string | null>;
}

export interface CancelWatcherOptions {
  readonly source: CancelSource;
  /** How often each running run's row is read (default 500 ms): the bound on "cancel → kill". */
  readonly intervalMs: number;
  readonly onError: (execId: string, err: unknown) => void;
}

/** Watches the rows of running runs for a cancel request and calls back once when one appears. */
export class CancelWatcher {
  private readonly watches = new Map<string, Ticker>();

  constructor(private readonly options: CancelWatcherOptions) {
    if (options.intervalMs <= 0) throw new Error('intervalMs must be > 0');
  }

  /** Starts watching `execId`; `onCancel` runs at most once. Returns the function that stops it. */
  watch(execId: string, onCancel: (by: string) => void): () => void {
    const ticker = new Ticker(async () => {
      try {
        const by = await this.options.source.cancelRequestedBy(execId);
        if (by !== null && this.watches.get(execId) === ticker) {
          this.stop(execId);
          onCancel(by);
        }
      } catch (err) {
        this.options.onError(execId, err);
      }
    }, this.options.intervalMs);
    this.watches.set(execId, ticker.start());
    return () => this.stop(execId);
  }

  close(): void {
    for (const ticker of this.watches.values()) void ticker.stop();
    this.watches.clear();
  }

  private stop(execId: string): void {
    void this.watches.get(execId)?.stop();
    this.watches.delete(execId);
  }
}
