/**
 * Runs `task` every `intervalMs`, by a chain of one-shot timers: a run never overlaps the previous one,
 * and a slow run delays the next instead of piling up. The one way ClouDO ticks (leases, heartbeats,
 * cancel checks, local timer functions). `task` handles its own errors; one that throws ends nothing.
 * `intervalMs` may be a function, asked before each wait: a schedule (the next NCRONTAB occurrence).
 */
export class Ticker {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly task: () => Promise<void> | void,
    private readonly intervalMs: number | (() => number),
    /** unref: a tick alone does not keep the process alive (background upkeep); default true. */
    private readonly unref = true,
  ) {
    if (typeof intervalMs === 'number' && !(intervalMs > 0))
      throw new Error(`intervalMs must be > 0, got ${intervalMs}`);
  }

  /** Schedules the first run one interval from now (the next occurrence, for a schedule). */
  start(): this {
    this.stopped = false;
    this.schedule();
    return this;
  }

  /** No further runs; resolves once a run in flight has ended (its effects are then all visible). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        this.inFlight = (async () => this.task())()
          .catch(() => undefined)
          .finally(() => {
            this.inFlight = undefined;
            this.schedule();
          });
      },
      typeof this.intervalMs === 'number' ? this.intervalMs : this.intervalMs(),
    );
    if (this.unref) this.timer.unref();
  }
}
