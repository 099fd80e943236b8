import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRedactor } from '../../../../src/core/redaction.js';
import { type LogAppender, LogStreamer, type LogStreamerOptions } from '../../../../workers/run/log-streamer.js';

const FLUSH_MS = 1000;

/** The log store as the streamer sees it: one blob per run, appended to, or put whole. */
class FakeLogStore implements LogAppender {
  /** Each store of bytes, appended or put whole. */
  readonly appends: { at: number; text: string }[] = [];
  /** Requests in order: `create`, `append`, `put`. */
  readonly requests: string[] = [];
  failNext = 0;

  async create(execId: string): Promise<void> {
    this.request('create', execId);
  }

  async append(execId: string, data: Uint8Array): Promise<void> {
    this.request('append', execId);
    this.appends.push({ at: Date.now(), text: Buffer.from(data).toString('utf8') });
  }

  async put(execId: string, data: Uint8Array): Promise<void> {
    this.request('put', execId);
    this.appends.push({ at: Date.now(), text: Buffer.from(data).toString('utf8') });
  }

  private request(kind: string, execId: string): void {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('blob unavailable');
    }
    expect(execId).toBe('e1');
    this.requests.push(kind);
  }

  get text(): string {
    return this.appends.map((a) => a.text).join('');
  }
}

describe('LogStreamer', () => {
  let store: FakeLogStore;
  let errors: unknown[];
  let streamer: LogStreamer;
  const make = (options: Partial<LogStreamerOptions> = {}) =>
    new LogStreamer({
      store,
      execId: 'e1',
      flushIntervalMs: FLUSH_MS,
      maxBytes: 1024 * 1024,
      redact: createRedactor(['s3cr3t-value']),
      onError: (err) => errors.push(err),
      ...options,
    });

  beforeEach(() => {
    vi.useFakeTimers();
    store = new FakeLogStore();
    errors = [];
    streamer = make();
  });

  afterEach(async () => {
    await streamer.close();
    vi.useRealTimers();
  });

  it('appends what arrived once per interval, whole lines only, and the rest at close', async () => {
    const t0 = Date.now();
    streamer.write(Buffer.from('one\ntw'));
    streamer.write(Buffer.from('o\nthr'));
    await vi.advanceTimersByTimeAsync(FLUSH_MS - 1);
    expect(store.appends).toEqual([]);

    await vi.advanceTimersByTimeAsync(1);
    expect(store.appends).toEqual([{ at: t0 + FLUSH_MS, text: 'one\ntwo\n' }]);

    await vi.advanceTimersByTimeAsync(10 * FLUSH_MS);
    expect(store.appends).toHaveLength(1);

    expect(await streamer.close()).toBe('one\ntwo\nthr'.length);
    expect(store.text).toBe('one\ntwo\nthr');
    expect(streamer.bytesWritten).toBe(11);
    expect(vi.getTimerCount()).toBe(0);
    expect(store.requests).toEqual(['create', 'append', 'append']);
  });

  it('stores the log of a run that ends before its first flush whole, in one request', async () => {
    streamer.write(Buffer.from('quick\n'));
    streamer.write(Buffer.from('done'));

    expect(await streamer.close()).toBe('quick\ndone'.length);
    expect(store.requests).toEqual(['put']);
    expect(store.text).toBe('quick\ndone');
  });

  it('stores an empty log for a run that printed nothing', async () => {
    expect(await streamer.close()).toBe(0);
    expect(store.requests).toEqual(['put']);
    expect(store.text).toBe('');
  });

  it('hides a secret even when it arrives split across two chunks', async () => {
    streamer.write(Buffer.from('token=s3cr'));
    streamer.write(Buffer.from('3t-value done\n'));
    await vi.advanceTimersByTimeAsync(FLUSH_MS);

    expect(store.text).toBe('token=*** done\n');
  });

  it('stores a very long line in pieces before its newline arrives', async () => {
    streamer.write(Buffer.alloc(70 * 1024, 'a'));
    await vi.advanceTimersByTimeAsync(FLUSH_MS);

    expect(streamer.bytesWritten).toBe(70 * 1024);
  });

  it('keeps the bytes of a failed append, reports it, and sends them first next time', async () => {
    store.failNext = 1;
    streamer.write(Buffer.from('first\n'));
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    expect(errors).toEqual([new Error('blob unavailable')]);
    expect(store.appends).toEqual([]);

    streamer.write(Buffer.from('second\n'));
    await vi.advanceTimersByTimeAsync(FLUSH_MS);

    expect(store.text).toBe('first\nsecond\n');
  });

  it('stops at maxBytes with one marker line and counts what it dropped', async () => {
    await streamer.close();
    streamer = make({ maxBytes: 1024 });
    const line = `${'x'.repeat(99)}\n`;
    for (let i = 0; i < 15; i++) streamer.write(Buffer.from(line));
    await vi.advanceTimersByTimeAsync(FLUSH_MS);
    streamer.write(Buffer.from(line));

    const written = await streamer.close();

    const marker = '\n[cloudo] log truncated at 1024 bytes: further output of this run is not kept\n';
    expect(store.text).toBe(`${line.repeat(15).slice(0, 1024)}${marker}`);
    expect(written).toBe(1024 + marker.length);
    expect(streamer.bytesDropped).toBe(15 * 100 - 1024 + 100);
  });

  it('keeps the last 8 KiB stored as its tail', async () => {
    streamer.write(Buffer.from(`${'a'.repeat(10 * 1024)}\nend\n`));
    await streamer.close();

    expect(streamer.tail.length).toBe(8 * 1024);
    expect(streamer.tail.toString().endsWith('a\nend\n')).toBe(true);
  });

  it('ignores output written after close', async () => {
    streamer.write(Buffer.from('kept\n'));
    await streamer.close();
    streamer.write(Buffer.from('late\n'));
    await vi.advanceTimersByTimeAsync(10 * FLUSH_MS);

    expect(store.text).toBe('kept\n');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('checks its options', () => {
    expect(() => make({ flushIntervalMs: 0 })).toThrow('flushIntervalMs must be > 0');
    expect(() => make({ maxBytes: 1023 })).toThrow('maxBytes must be at least 1024');
  });
});
