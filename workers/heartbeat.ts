import type { WorkerBeat } from '../src/storage/index.js';

export interface HeartbeatOptions {
  readonly registry: {
    beat(beat: WorkerBeat): Promise<void>;
    remove(capability: string, workerId: string): Promise<void>;
  };
  /** Everything but the moment and the runs, which are read at each beat. */
  readonly identity: Omit<WorkerBeat, 'lastSeen' | 'runningRuns'>;
  readonly runningRuns: () => string[];
  /** How often the worker says it is alive (housekeeping waits a few of these before it gives up on it). */
  readonly intervalMs: number;
  readonly onError: (err: unknown) => void;
}

/** Tells Table Workers this process is alive and what it runs, by a chain of one-shot timers. */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: HeartbeatOptions) {
    if (options.intervalMs <= 0) throw new Error('intervalMs must be > 0');
  }

  /** Beats once now (so the worker is listed at once), then every interval. */
  async start(): Promise<void> {
    await this.beat();
    this.schedule();
  }

  /** Stops beating and removes the row: a worker that stops cleanly is not left looking stale. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const { capability, workerId } = this.options.identity;
    await this.options.registry.remove(capability, workerId);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      await this.beat();
      this.schedule();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      await this.options.registry.beat({
        ...this.options.identity,
        runningRuns: this.options.runningRuns(),
        lastSeen: new Date().toISOString(),
      });
    } catch (err) {
      this.options.onError(err);
    }
  }
}
