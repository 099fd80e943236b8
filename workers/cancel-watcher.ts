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

/**
 * Watches the rows of running runs for a cancel request and calls back once when one appears. One chain
 * of one-shot timers per run; a read never overlaps the previous one.
 */
export class CancelWatcher {
  private readonly watches = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: CancelWatcherOptions) {
    if (options.intervalMs <= 0) throw new Error('intervalMs must be > 0');
  }

  /** Starts watching `execId`; `onCancel` runs at most once. Returns the function that stops it. */
  watch(execId: string, onCancel: (by: string) => void): () => void {
    const tick = () => {
      const timer = setTimeout(async () => {
        try {
          const by = await this.options.source.cancelRequestedBy(execId);
          if (by !== null && this.watches.get(execId) === timer) {
            this.stop(execId);
            onCancel(by);
            return;
          }
        } catch (err) {
          this.options.onError(execId, err);
        }
        if (this.watches.get(execId) === timer) tick();
      }, this.options.intervalMs);
      timer.unref();
      this.watches.set(execId, timer);
    };
    tick();
    return () => this.stop(execId);
  }

  close(): void {
    for (const timer of this.watches.values()) clearTimeout(timer);
    this.watches.clear();
  }

  private stop(execId: string): void {
    clearTimeout(this.watches.get(execId));
    this.watches.delete(execId);
  }
}
