import { isTerminal } from '../../src/core/execution.js';
import type { ExecutionRepository, RunLocks } from '../../src/storage/index.js';

/**
 * A worker's concurrency slots. A received message holds one from the moment it arrives until its
 * handling settles, so the poller asks for no more messages than there are free slots.
 */
export class ConcurrencySlots {
  private held = 0;
  private waiters: (() => void)[] = [];

  /** `count`: the worker's concurrency, runs at once (>= 1). */
  constructor(private readonly count: number) {
    if (count < 1) throw new Error('concurrency must be >= 1');
  }

  /** Slots free right now: how many messages the next receive may take. */
  get free(): number {
    return Math.max(0, this.count - this.held);
  }

  /** Takes a slot; the returned function gives it back (once, however often it is called). */
  take(): () => void {
    this.held += 1;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.held -= 1;
      this.wakeAll();
    };
  }

  /** Resolves when a slot may have come free: one was given back, or `wakeAll()` was called. */
  whenFree(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes everyone waiting for a slot (a slot came free, or the worker is closing). */
  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** What turn-taking needs of Table RunLocks. */
export type TurnLocks = Pick<RunLocks, 'acquire' | 'release'>;

export interface ExclusiveTurnsOptions {
  /** Locks of runs that must not overlap (schema concurrency `queue`). */
  readonly runLocks: TurnLocks;
  /** Where a lock's holder is looked up, to tell a live holder from one whose run has ended. */
  readonly executions: Pick<ExecutionRepository, 'get'>;
  /** How long a run waiting for its turn stays out of sight before it tries again (default 5000). */
  readonly waitTurnMs?: number;
}

/**
 * Turns among runs that must not overlap: a run with an `exclusiveKey` (its schema and resource) goes only
 * while it holds that key's lock. A run without one always goes.
 */
export class ExclusiveTurns {
  /** How long a message whose run must wait is deferred before it is received again. */
  readonly waitTurnMs: number;

  constructor(private readonly options: ExclusiveTurnsOptions) {
    this.waitTurnMs = options.waitTurnMs ?? 5_000;
  }

  /** True when this run may go now: it has no key, or no other run of its key is queued or running. */
  take(exclusiveKey: string | undefined, execId: string): Promise<boolean> {
    if (!exclusiveKey) return Promise.resolve(true);
    return this.options.runLocks.acquire(exclusiveKey, execId, async (holder) => {
      const run = await this.options.executions.get(holder);
      return run !== null && !isTerminal(run.execution.status);
    });
  }

  /** Gives the turn back once the run has ended; a no-op without a key or when another run holds it. */
  async giveBack(exclusiveKey: string | undefined, execId: string): Promise<void> {
    if (exclusiveKey) await this.options.runLocks.release(exclusiveKey, execId);
  }
}
