import { Ticker } from '../../src/core/ticker.js';
import type { WorkerBeat } from '../../src/storage/index.js';

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

/** Tells Table Workers this process is alive and what it runs, every interval. */
export class Heartbeat {
  private readonly ticker: Ticker;

  constructor(private readonly options: HeartbeatOptions) {
    if (options.intervalMs <= 0) throw new Error('intervalMs must be > 0');
    this.ticker = new Ticker(() => this.beat(), options.intervalMs);
  }

  /** Beats once now (so the worker is listed at once), then every interval. */
  async start(): Promise<void> {
    await this.beat();
    this.ticker.start();
  }

  /** Stops beating and removes the row: a worker that stops cleanly is not left looking stale. */
  async stop(): Promise<void> {
    await this.ticker.stop();
    const { capability, workerId } = this.options.identity;
    await this.options.registry.remove(capability, workerId);
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
