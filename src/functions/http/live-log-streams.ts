import type { LogPollerStorage } from './log-poller.js';
import { LogPoller } from './log-poller.js';
import { logEventStream } from './log-stream.js';
import type { Reservation, StreamSlot } from './stream-slots.js';
import { StreamSlots } from './stream-slots.js';

/** How live logs are read and how long one stream lasts. */
export interface LiveLogTiming {
  /** Pause between two reads of a followed run's status and log (ms, default 250). */
  readonly pollMs: number;
  /**
   * A stream ends itself after this long (ms, default 4 minutes: below the 5-minute `functionTimeout` of
   * host.json); the browser reconnects from its last id, on a slot like any other stream.
   */
  readonly maxDurationMs: number;
}

export const DEFAULT_LIVE_LOG_TIMING: LiveLogTiming = { pollMs: 250, maxDurationMs: 4 * 60_000 };

export interface LiveLogStreamsOptions extends LiveLogTiming {
  readonly storage: LogPollerStorage;
  /** Most streams one caller holds (AppSettings.liveLogStreams.perCaller). */
  readonly perCaller: number;
  /** Most streams held by everyone (AppSettings.liveLogStreams.total). */
  readonly total: number;
}

/**
 * The live-log streams of this process: a slot per stream, counted per caller and in all, and one poller
 * per run shared by all its streams, so that N viewers of a run cost the storage reads of one. A run's
 * poller starts with its first stream and stops with its last.
 */
export class LiveLogStreams {
  private readonly slots: StreamSlots;
  private readonly pollers = new Map<string, LogPoller>();

  constructor(private readonly options: LiveLogStreamsOptions) {
    if (!(options.maxDurationMs > 0)) throw new Error('maxDurationMs must be > 0');
    this.slots = new StreamSlots({ perCaller: options.perCaller, total: options.total });
  }

  /**
   * Takes a slot for a stream of `caller` (Caller.principal), or says which cap refuses it. Taken before
   * anything is read, so that refused requests cost no storage read; `open` it, or release it.
   */
  reserve(caller: string): Reservation {
    return this.slots.reserve(caller);
  }

  /** The stream of run `execId` from byte `offset`, on `slot`, which it releases when it ends. */
  open(slot: StreamSlot, execId: string, offset: number): ReadableStream<Uint8Array> {
    return logEventStream({
      offset,
      maxDurationMs: this.options.maxDurationMs,
      follow: (follower, from) => this.pollerOf(execId).follow(follower, from),
      onEnd: () => slot.release(),
    });
  }

  /** Streams open and runs being polled, now. */
  stats(): { streams: number; pollers: number } {
    return { streams: this.slots.size, pollers: this.pollers.size };
  }

  private pollerOf(execId: string): LogPoller {
    const current = this.pollers.get(execId);
    if (current) return current;
    // a poller stops when its last follower goes and is forgotten at once: the next stream starts a new one
    const poller = new LogPoller({
      storage: this.options.storage,
      execId,
      pollMs: this.options.pollMs,
      onStop: () => this.pollers.delete(execId),
    });
    this.pollers.set(execId, poller);
    return poller;
  }
}
