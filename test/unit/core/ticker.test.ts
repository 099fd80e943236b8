import { afterEach, describe, expect, it, vi } from 'vitest';
import { Ticker } from '../../../src/core/ticker.js';

describe('Ticker', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs every interval, never two runs at once, and a slow run delays the next', async () => {
    vi.useFakeTimers();
    const starts: number[] = [];
    let release: () => void = () => undefined;
    const ticker = new Ticker(async () => {
      starts.push(Date.now());
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    }, 100).start();
    const t0 = Date.now();
    await vi.advanceTimersByTimeAsync(100);
    expect(starts).toEqual([t0 + 100]);
    // the run is still going: no second one however long it takes
    await vi.advanceTimersByTimeAsync(1_000);
    expect(starts).toHaveLength(1);
    release();
    await vi.advanceTimersByTimeAsync(100);
    expect(starts).toEqual([t0 + 100, t0 + 1_200]);
    release();
    await ticker.stop();
  });

  it('keeps ticking after a run that throws, and stop waits for the run in flight', async () => {
    vi.useFakeTimers();
    let runs = 0;
    let finished = false;
    const ticker = new Ticker(async () => {
      runs++;
      if (runs === 1) throw new Error('storage blip');
      await new Promise((resolve) => setTimeout(resolve, 50));
      finished = true;
    }, 10).start();
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(10);
    expect(runs).toBe(2);
    const stopped = ticker.stop();
    await vi.advanceTimersByTimeAsync(50);
    await stopped;
    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(2);
  });

  it('asks a delay function before each wait, so a run can follow a schedule', async () => {
    vi.useFakeTimers();
    const delays = [100, 300, 50];
    const starts: number[] = [];
    const t0 = Date.now();
    const ticker = new Ticker(
      () => {
        starts.push(Date.now() - t0);
      },
      () => delays.shift() ?? 1_000,
    ).start();
    await vi.advanceTimersByTimeAsync(450);
    expect(starts).toEqual([100, 400, 450]);
    await ticker.stop();
  });
});
