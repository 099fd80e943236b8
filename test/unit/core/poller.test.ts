import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PollerOptions } from '../../../src/core/poller.js';
import { Poller } from '../../../src/core/poller.js';

const poller = (overrides: Partial<PollerOptions> = {}) =>
  new Poller({
    maxIntervalMs: 250,
    minIntervalMs: 25,
    poll: async () => 0,
    capacity: () => 1,
    whenCapacity: () => Promise.resolve(),
    onError: () => undefined,
    ...overrides,
  });

describe('Poller backoff', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls again at once while work arrives and backs off to the ceiling while idle', () => {
    const p = poller();
    expect([0, 0, 0, 0, 0, 0].map((n) => p.nextDelayMs(n))).toEqual([25, 50, 100, 200, 250, 250]);
    expect(p.nextDelayMs(3)).toBe(0);
    expect(p.nextDelayMs(0)).toBe(25);
  });

  it('waits the backoff between idle polls on its own timers', async () => {
    const polledAt: number[] = [];
    const p = poller({
      poll: async () => {
        polledAt.push(Date.now());
        return 0;
      },
    });
    const t0 = Date.now();
    p.start();
    await vi.advanceTimersByTimeAsync(25 + 50 + 100);
    expect(polledAt.map((t) => t - t0)).toEqual([0, 25, 75, 175]);
    await p.stop();
  });

  it('stops in the middle of a long idle pause without waiting it out', async () => {
    let polls = 0;
    const p = poller({
      maxIntervalMs: 60_000,
      minIntervalMs: 60_000,
      poll: async () => {
        polls++;
        return 0;
      },
    });
    p.start();
    await vi.advanceTimersByTimeAsync(20);
    // no timer is advanced from here on: stop() resolves only if it cuts the 60 s pause short
    await p.stop();
    expect(polls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not poll while there is no capacity, and resumes when there is', async () => {
    let free = 0;
    let wake: () => void = () => undefined;
    let polls = 0;
    const p = poller({
      maxIntervalMs: 10,
      poll: async () => {
        polls++;
        return 0;
      },
      capacity: () => free,
      whenCapacity: () => new Promise<void>((r) => (wake = r)),
    });
    p.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(polls).toBe(0);
    free = 1;
    wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(polls).toBe(2);
    await p.stop();
  });

  it('reports a failed poll and keeps polling', async () => {
    const errors: unknown[] = [];
    let polls = 0;
    const p = poller({
      poll: async () => {
        polls++;
        if (polls === 1) throw new Error('storage down');
        return 0;
      },
      onError: (err) => errors.push(err),
    });
    p.start();
    await vi.advanceTimersByTimeAsync(25);
    expect(errors).toEqual([new Error('storage down')]);
    expect(polls).toBe(2);
    await p.stop();
  });

  it('refuses a non-positive ceiling and a second start', () => {
    expect(() => poller({ maxIntervalMs: 0 })).toThrow('maxIntervalMs must be > 0');
    const p = poller();
    p.start();
    expect(() => p.start()).toThrow('poller already started');
    return p.stop();
  });
});

describe('Poller wake-up (a nudge: a run was just queued)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const counting = (overrides: Partial<PollerOptions> = {}) => {
    const polls: number[] = [];
    const p = poller({
      maxIntervalMs: 60_000,
      minIntervalMs: 60_000,
      poll: async () => {
        polls.push(Date.now());
        return 0;
      },
      ...overrides,
    });
    return { p, polls };
  };

  it('cuts a long idle pause short and polls now', async () => {
    const { p, polls } = counting();
    p.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(polls).toHaveLength(1);
    p.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls).toHaveLength(2);
    await p.stop();
  });

  it('coalesces nudges: many during one pause cost one poll', async () => {
    const { p, polls } = counting();
    p.start();
    await vi.advanceTimersByTimeAsync(10);
    for (let i = 0; i < 50; i++) p.wake();
    await vi.advanceTimersByTimeAsync(10);
    expect(polls).toHaveLength(2);
    await p.stop();
  });

  it('polls once more after a poll during which a nudge came (it may have missed the new run)', async () => {
    let release: () => void = () => undefined;
    const polls: number[] = [];
    const p = poller({
      maxIntervalMs: 60_000,
      minIntervalMs: 60_000,
      poll: async () => {
        polls.push(Date.now());
        if (polls.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return 0;
      },
    });
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    p.wake();
    p.wake();
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls).toHaveLength(2);
    // and then it waits its pause again: no loop of polls
    await vi.advanceTimersByTimeAsync(1_000);
    expect(polls).toHaveLength(2);
    await p.stop();
  });

  it('starts the idle backoff over after a nudge', async () => {
    const { p } = counting({ minIntervalMs: 25, maxIntervalMs: 1_000 });
    for (let i = 0; i < 8; i++) p.nextDelayMs(0);
    expect(p.nextDelayMs(0)).toBe(1_000);
    p.wake();
    expect(p.nextDelayMs(0)).toBe(25);
  });

  it('does nothing while there is no capacity: it polls when a slot frees anyway', async () => {
    let free = 0;
    let freed: () => void = () => undefined;
    const { p, polls } = counting({
      capacity: () => free,
      whenCapacity: () => new Promise<void>((resolve) => (freed = resolve)),
    });
    p.start();
    p.wake();
    await vi.advanceTimersByTimeAsync(100);
    expect(polls).toHaveLength(0);
    free = 1;
    freed();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls).toHaveLength(1);
    await p.stop();
  });
});
