import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CancelSource, CancelWatcher } from '../../../../workers/queue/cancel-watcher.js';

const INTERVAL_MS = 500;

/** The executions table as the watcher sees it: who asked to cancel which run. */
class FakeRows implements CancelSource {
  readonly requestedBy = new Map<string, string>();
  readonly reads: { at: number; execId: string }[] = [];
  hold: Promise<void> | undefined;
  failNext = 0;

  async cancelRequestedBy(execId: string): Promise<string | null> {
    this.reads.push({ at: Date.now(), execId });
    const held = this.hold;
    this.hold = undefined;
    if (held) await held;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('table unavailable');
    }
    return this.requestedBy.get(execId) ?? null;
  }
}

describe('CancelWatcher', () => {
  let rows: FakeRows;
  let errors: { execId: string; err: unknown }[];
  let watcher: CancelWatcher;

  beforeEach(() => {
    vi.useFakeTimers();
    rows = new FakeRows();
    errors = [];
    watcher = new CancelWatcher({
      source: rows,
      intervalMs: INTERVAL_MS,
      onError: (execId, err) => errors.push({ execId, err }),
    });
  });

  afterEach(() => {
    watcher.close();
    vi.useRealTimers();
  });

  it('reads the row every interval and calls back once, with who asked, then stops reading', async () => {
    const cancels: string[] = [];
    const t0 = Date.now();
    watcher.watch('e1', (by) => cancels.push(by));

    await vi.advanceTimersByTimeAsync(2 * INTERVAL_MS);
    expect(cancels).toEqual([]);
    rows.requestedBy.set('e1', 'alice@contoso.com');
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    await vi.advanceTimersByTimeAsync(5 * INTERVAL_MS);

    expect(cancels).toEqual(['alice@contoso.com']);
    expect(rows.reads.map((r) => r.at - t0)).toEqual([500, 1000, 1500]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a failed read and keeps watching', async () => {
    const cancels: string[] = [];
    rows.failNext = 1;
    rows.requestedBy.set('e1', 'bob');
    watcher.watch('e1', (by) => cancels.push(by));

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(errors).toEqual([{ execId: 'e1', err: new Error('table unavailable') }]);
    expect(cancels).toEqual([]);

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(cancels).toEqual(['bob']);
  });

  it('never starts a read while the last one is in flight', async () => {
    let release: () => void = () => undefined;
    rows.hold = new Promise<void>((r) => (release = r));
    watcher.watch('e1', () => undefined);

    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(rows.reads).toHaveLength(1);

    release();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(rows.reads).toHaveLength(2);
  });

  it('does not call back for a run that stopped being watched while its row was being read', async () => {
    let release: () => void = () => undefined;
    rows.hold = new Promise<void>((r) => (release = r));
    rows.requestedBy.set('e1', 'carol');
    const cancels: string[] = [];
    const stop = watcher.watch('e1', (by) => cancels.push(by));
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);

    stop();
    release();
    await vi.advanceTimersByTimeAsync(5 * INTERVAL_MS);

    expect(cancels).toEqual([]);
    expect(rows.reads).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('watches each run on its own, and close stops them all without leaving a timer', async () => {
    const cancels: string[] = [];
    watcher.watch('e1', (by) => cancels.push(`e1 by ${by}`));
    watcher.watch('e2', (by) => cancels.push(`e2 by ${by}`));
    rows.requestedBy.set('e2', 'dave');

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(cancels).toEqual(['e2 by dave']);
    expect(vi.getTimerCount()).toBe(1);

    watcher.close();
    rows.requestedBy.set('e1', 'erin');
    await vi.advanceTimersByTimeAsync(5 * INTERVAL_MS);
    expect(cancels).toEqual(['e2 by dave']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a non-positive interval', () => {
    expect(() => new CancelWatcher({ source: rows, intervalMs: 0, onError: () => undefined })).toThrow(
      'intervalMs must be > 0',
    );
  });
});
