import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReceivedMessage } from '../../../../src/storage/index.js';
import { LeaseKeeper, type LeaseRenewer } from '../../../../workers/queue/lease-keeper.js';

const VISIBILITY_MS = 60_000;

const message = (messageId = 'm1'): ReceivedMessage => ({
  messageId,
  popReceipt: 'r0',
  dequeueCount: 1,
  body: {},
  text: '{}',
});

/** A queue that records each renewal and, like Azure, hands out a new pop receipt every time. */
class FakeRenewer implements LeaseRenewer {
  readonly renewals: { at: number; messageId: string; popReceipt: string; visibilityTimeoutMs: number }[] = [];
  /** When set, the next renewal waits on this instead of answering at once. */
  hold: Promise<void> | undefined;
  failNext = 0;

  async renew(msg: ReceivedMessage, visibilityTimeoutMs: number): Promise<void> {
    this.renewals.push({ at: Date.now(), messageId: msg.messageId, popReceipt: msg.popReceipt, visibilityTimeoutMs });
    const held = this.hold;
    this.hold = undefined;
    if (held) await held;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('409 pop receipt mismatch');
    }
    msg.popReceipt = `r${this.renewals.length}`;
  }
}

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('LeaseKeeper', () => {
  let queue: FakeRenewer;
  let lost: { messageId: string; err: unknown }[];
  let keeper: LeaseKeeper;

  beforeEach(() => {
    vi.useFakeTimers();
    queue = new FakeRenewer();
    lost = [];
    keeper = new LeaseKeeper({
      queue,
      visibilityTimeoutMs: VISIBILITY_MS,
      onLost: (msg, err) => lost.push({ messageId: msg.messageId, err }),
    });
  });

  afterEach(() => {
    keeper.close();
    vi.useRealTimers();
  });

  it('renews at half the visibility timeout, again and again, with the newest pop receipt', async () => {
    const t0 = Date.now();
    keeper.track(message());

    await vi.advanceTimersByTimeAsync(VISIBILITY_MS / 2 - 1);
    expect(queue.renewals).toEqual([]);
    await vi.advanceTimersByTimeAsync(1 + VISIBILITY_MS);

    expect(queue.renewals.map((r) => [r.at - t0, r.popReceipt, r.visibilityTimeoutMs])).toEqual([
      [30_000, 'r0', VISIBILITY_MS],
      [60_000, 'r1', VISIBILITY_MS],
      [90_000, 'r2', VISIBILITY_MS],
    ]);
    expect(lost).toEqual([]);
  });

  it('never starts a renewal while the last one is in flight', async () => {
    const slow = deferred();
    queue.hold = slow.promise;
    const t0 = Date.now();
    keeper.track(message());

    await vi.advanceTimersByTimeAsync(5 * VISIBILITY_MS);
    expect(queue.renewals).toHaveLength(1);

    slow.resolve();
    await vi.advanceTimersByTimeAsync(VISIBILITY_MS / 2);
    expect(queue.renewals.map((r) => r.at - t0)).toEqual([30_000, 5 * VISIBILITY_MS + 30_000]);
  });

  it('reports a failed renewal and keeps trying', async () => {
    queue.failNext = 1;
    keeper.track(message('m7'));

    await vi.advanceTimersByTimeAsync(VISIBILITY_MS);

    expect(lost).toEqual([{ messageId: 'm7', err: new Error('409 pop receipt mismatch') }]);
    expect(queue.renewals).toHaveLength(2);
  });

  it('keeps each message on its own chain', async () => {
    keeper.track(message('a'));
    await vi.advanceTimersByTimeAsync(10_000);
    keeper.track(message('b'));
    await vi.advanceTimersByTimeAsync(VISIBILITY_MS / 2);

    expect(queue.renewals.map((r) => r.messageId)).toEqual(['a', 'b']);
    expect(keeper.size).toBe(2);
  });

  it('on release stops renewing, and resolves only once no renewal is in flight', async () => {
    const slow = deferred();
    queue.hold = slow.promise;
    const release = keeper.track(message());
    await vi.advanceTimersByTimeAsync(VISIBILITY_MS / 2);
    expect(queue.renewals).toHaveLength(1);

    let released = false;
    const releasing = release().then(() => (released = true));
    await vi.advanceTimersByTimeAsync(0);
    // the message would be deleted next, with a pop receipt this renewal is about to change
    expect(released).toBe(false);

    slow.resolve();
    await releasing;
    await vi.advanceTimersByTimeAsync(5 * VISIBILITY_MS);
    expect(queue.renewals).toHaveLength(1);
    expect(keeper.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('on close stops every renewal, leaves no timer and takes no more messages', async () => {
    keeper.track(message('a'));
    keeper.track(message('b'));

    keeper.close();
    await vi.advanceTimersByTimeAsync(5 * VISIBILITY_MS);

    expect(queue.renewals).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    expect(() => keeper.track(message('c'))).toThrow('lease keeper is closed');
  });

  it('refuses a non-positive visibility timeout', () => {
    expect(() => new LeaseKeeper({ queue, visibilityTimeoutMs: 0, onLost: () => undefined })).toThrow(
      'visibilityTimeoutMs must be > 0',
    );
  });
});
