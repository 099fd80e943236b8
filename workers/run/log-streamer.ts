import type { Redactor } from '../../src/core/redaction.js';

/** What the streamer needs from the log store. */
export interface LogAppender {
  /** Makes the (empty) log that appends go to. */
  create(execId: string): Promise<void>;
  append(execId: string, data: Uint8Array): Promise<void>;
  /** Stores a whole log at once; nothing is appended to it after. */
  put(execId: string, data: Uint8Array): Promise<void>;
}

export interface LogStreamerOptions {
  readonly store: LogAppender;
  readonly execId: string;
  /** How often buffered output is appended. */
  readonly flushIntervalMs: number;
  /** Most bytes a run's log may hold; past it one marker line is written and the rest is dropped. */
  readonly maxBytes: number;
  /** Hides secrets in each line before it is stored. */
  readonly redact: Redactor;
  /** Called when an append fails; the bytes stay buffered and go with the next flush. */
  readonly onError: (err: unknown) => void;
}

const NEWLINE = 0x0a;
const TAIL_BYTES = 8 * 1024;
/** A line longer than this is stored in pieces even before its newline arrives. */
const MAX_HELD_BYTES = 64 * 1024;

/**
 * Buffers a run's output and appends it to the log blob every `flushIntervalMs`: live enough to follow,
 * without one storage call per line. The log is made at the first flush: a run that ends before one (most
 * runs of a quick runbook) is stored whole in one request, not a create and an append; nobody could have
 * seen more of it meanwhile, since its first output would have waited for that flush anyway. Whole lines are redacted (a secret split across two chunks is still
 * found), the log is capped, and flushes are chained, never concurrent, so order is kept.
 */
export class LogStreamer {
  private held: Buffer = Buffer.alloc(0);
  private ready: Buffer[] = [];
  private written = 0;
  private stored: Buffer = Buffer.alloc(0);
  private dropped = 0;
  private truncated = false;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  /** Whether the log exists to append to (made by the first flush, or stored whole by the last). */
  private opened = false;

  constructor(private readonly options: LogStreamerOptions) {
    if (options.flushIntervalMs <= 0) throw new Error('flushIntervalMs must be > 0');
    if (options.maxBytes < 1024) throw new Error('maxBytes must be at least 1024');
  }

  /** Bytes stored so far. */
  get bytesWritten(): number {
    return this.written;
  }

  /** The end of what was stored (8 KiB at most): the results message takes its tail from here. */
  get tail(): Buffer {
    return this.stored;
  }

  /** Output discarded past the cap. */
  get bytesDropped(): number {
    return this.dropped;
  }

  write(chunk: Buffer): void {
    if (this.closed) return;
    this.held = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.flushIntervalMs);
  }

  /** Appends whatever is complete; resolves when it is stored (or has failed and stays buffered). */
  flush(final = false): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      this.takeLines(final);
      const { store, execId } = this.options;
      // the last flush of a log never made stores it whole, even empty: every run that ran has a log
      const isWhole = final && !this.opened;
      if (this.ready.length === 0 && !isWhole) return;
      const data = Buffer.concat(this.ready);
      this.ready = [];
      try {
        if (isWhole) await store.put(execId, data);
        else {
          if (!this.opened) await store.create(execId);
          this.opened = true;
          await store.append(execId, data);
        }
        this.opened = true;
        this.written += data.length;
        this.stored = Buffer.concat([this.stored, data]).subarray(-TAIL_BYTES);
      } catch (err) {
        this.ready.unshift(data);
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
    await this.flush(true);
    if (this.ready.length > 0) await this.flush(true);
    return this.written;
  }

  /** Moves complete lines (all of it when final, or a very long line) from `held` to `ready`, redacted and capped. */
  private takeLines(final: boolean): void {
    const cut = final || this.held.length > MAX_HELD_BYTES ? this.held.length : this.held.lastIndexOf(NEWLINE) + 1;
    if (cut <= 0) return;
    const lines = this.held.subarray(0, cut);
    this.held = Buffer.from(this.held.subarray(cut));
    if (this.truncated) {
      this.dropped += lines.length;
      return;
    }
    const redacted = Buffer.from(this.options.redact(lines.toString('utf8')), 'utf8');
    const pendingBytes = this.ready.reduce((n, b) => n + b.length, 0);
    const room = this.options.maxBytes - this.written - pendingBytes;
    if (redacted.length <= room) {
      this.ready.push(redacted);
      return;
    }
    this.truncated = true;
    this.ready.push(redacted.subarray(0, Math.max(0, room)));
    this.dropped += redacted.length - Math.max(0, room);
    this.ready.push(
      Buffer.from(
        `\n[cloudo] log truncated at ${this.options.maxBytes} bytes: further output of this run is not kept\n`,
      ),
    );
  }
}
