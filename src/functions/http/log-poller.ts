import { isTerminal } from '../../core/execution.js';
import type { Storage } from '../../storage/index.js';

/** What a poller tells one stream that follows the run. */
export interface LogFollower {
  /** Log text from the follower's offset on; `reached` is the byte it now stands at (the event id). */
  log(text: string, reached: number): void;
  /** The run is over (or gone) and the follower has had all of its log. */
  end(status: string, exitCode: number | null): void;
  /** Reading the run failed; the follower is dropped. */
  fail(message: string): void;
}

/** The two reads a poller makes. */
export interface LogPollerStorage {
  readonly executions: Pick<Storage['executions'], 'get'>;
  readonly logs: Pick<Storage['logs'], 'read'>;
}

export interface LogPollerOptions {
  readonly storage: LogPollerStorage;
  readonly execId: string;
  /** Pause between two reads of the run (ms, > 0). */
  readonly pollMs: number;
  /** Called once, when the poller stops (no follower left): its owner forgets it. */
  readonly onStop: () => void;
}

/** Bytes at the end of `buffer` that begin a UTF-8 character not yet complete: kept for the next read. */
function incompleteTail(buffer: Buffer): number {
  for (let back = 1; back <= Math.min(3, buffer.length); back++) {
    const byte = buffer[buffer.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

/**
 * Reads one run's status and log for every stream that follows it: one status read and one log read per
 * tick, by a chain of one-shot timers, however many streams there are. Each follower stands at its own
 * byte; a tick reads from the lowest, so a follower that joins late catches up in the read that brings the
 * others their new bytes, and each gets exactly the bytes after its own offset.
 */
export class LogPoller {
  /** Each follower and the byte it stands at. */
  private readonly followers = new Map<LogFollower, number>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;

  constructor(private readonly options: LogPollerOptions) {
    if (!(options.pollMs > 0)) throw new Error('pollMs must be > 0');
  }

  /**
   * Follows the run from byte `offset`; returns what stops following. The first follower starts the
   * poller at once; a later one is served at the next tick.
   */
  follow(follower: LogFollower, offset: number): () => void {
    if (this.stopped) throw new Error(`the poller of ${this.options.execId} has stopped`);
    this.followers.set(follower, offset);
    if (!this.started) {
      this.started = true;
      void this.tick();
    }
    return () => {
      if (this.followers.delete(follower) && this.followers.size === 0) this.stop();
    };
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.options.onStop();
  }

  private async tick(): Promise<void> {
    const { storage, execId } = this.options;
    try {
      // status first, then the log: a run seen finished has all its log stored already
      const row = await storage.executions.get(execId);
      if (this.stopped) return;
      const from = Math.min(...this.followers.values());
      const bytes = (await storage.logs.read(execId, from)) ?? Buffer.alloc(0);
      if (this.stopped) return;
      const complete = bytes.subarray(0, bytes.length - incompleteTail(bytes));
      const reached = from + complete.length;
      const over = row === null || isTerminal(row.execution.status);
      for (const [follower, offset] of [...this.followers]) {
        // joined while this tick was reading, from further back: the next tick reads from its offset
        if (offset < from) continue;
        if (offset < reached) {
          this.followers.set(follower, reached);
          follower.log(complete.subarray(offset - from).toString('utf8'), reached);
        }
        if (over) {
          this.followers.delete(follower);
          follower.end(row?.execution.status ?? 'unknown', row?.execution.exitCode ?? null);
        }
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const failed = [...this.followers.keys()];
      this.followers.clear();
      for (const follower of failed) follower.fail(message);
    }
    if (this.followers.size === 0) {
      this.stop();
      return;
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.options.pollMs);
    // the streams hold the process open, not their poller
    this.timer.unref();
  }
}
