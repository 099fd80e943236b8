import { describe, expect, it } from 'vitest';
import { Poller } from '../../../workers/poller.js';

const poller = (maxIntervalMs: number) =>
  new Poller({
    maxIntervalMs,
    minIntervalMs: 25,
    poll: async () => 0,
    capacity: () => 1,
    whenCapacity: () => Promise.resolve(),
    onError: () => undefined,
  });

describe('Poller backoff', () => {
  it('polls again at once while work arrives and backs off to the ceiling while idle', () => {
    const p = poller(250);
    expect([0, 0, 0, 0, 0, 0].map((n) => p.nextDelayMs(n))).toEqual([25, 50, 100, 200, 250, 250]);
    expect(p.nextDelayMs(3)).toBe(0);
    expect(p.nextDelayMs(0)).toBe(25);
  });

  it('stops promptly even in the middle of a long idle pause', async () => {
    let polls = 0;
    const p = new Poller({
      maxIntervalMs: 60_000,
      minIntervalMs: 60_000,
      poll: async () => {
        polls++;
        return 0;
      },
      capacity: () => 1,
      whenCapacity: () => Promise.resolve(),
      onError: () => undefined,
    });
    p.start();
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await p.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(polls).toBe(1);
  });

  it('does not poll while there is no capacity, and resumes when there is', async () => {
    let free = 0;
    let wake: () => void = () => undefined;
    let polls = 0;
    const p = new Poller({
      maxIntervalMs: 10,
      poll: async () => {
        polls++;
        return 0;
      },
      capacity: () => free,
      whenCapacity: () => new Promise<void>((r) => (wake = r)),
      onError: () => undefined,
    });
    p.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(polls).toBe(0);
    free = 1;
    wake();
    await new Promise((r) => setTimeout(r, 50));
    expect(polls).toBeGreaterThan(0);
    await p.stop();
  });

  it('refuses a non-positive ceiling', () => {
    expect(() => poller(0)).toThrow('maxIntervalMs must be > 0');
  });
});
