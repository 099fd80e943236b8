import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkerBeat } from '../../../../src/storage/index.js';
import { Heartbeat, type HeartbeatOptions } from '../../../../workers/queue/heartbeat.js';

const INTERVAL_MS = 15_000;
const NOW = new Date('2026-12-06T03:00:00.000Z');

const IDENTITY: HeartbeatOptions['identity'] = {
  capability: 'Runbook',
  workerId: 'host-1-1234-abcd',
  host: 'host-1',
  version: '0.1.0',
  concurrency: 2,
  runbookIsolation: 'separate-users',
  startedAt: NOW.toISOString(),
};

/** Table Workers as the heartbeat sees it: rows by capability and worker id. */
class FakeRegistry {
  readonly rows = new Map<string, WorkerBeat>();
  readonly beats: WorkerBeat[] = [];
  hold: Promise<void> | undefined;
  failNext = 0;

  async beat(beat: WorkerBeat): Promise<void> {
    this.beats.push(beat);
    const held = this.hold;
    this.hold = undefined;
    if (held) await held;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('table unavailable');
    }
    this.rows.set(`${beat.capability}/${beat.workerId}`, beat);
  }

  async remove(capability: string, workerId: string): Promise<void> {
    this.rows.delete(`${capability}/${workerId}`);
  }
}

describe('Heartbeat', () => {
  let registry: FakeRegistry;
  let running: string[];
  let errors: unknown[];
  let heartbeat: Heartbeat;

  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
    registry = new FakeRegistry();
    running = [];
    errors = [];
    heartbeat = new Heartbeat({
      registry,
      identity: IDENTITY,
      runningRuns: () => [...running],
      intervalMs: INTERVAL_MS,
      onError: (err) => errors.push(err),
    });
  });

  afterEach(async () => {
    await heartbeat.stop();
    vi.useRealTimers();
  });

  it('beats once at start, then every interval with the time and the runs of that moment', async () => {
    await heartbeat.start();
    expect(registry.beats).toEqual([{ ...IDENTITY, runningRuns: [], lastSeen: '2026-12-06T03:00:00.000Z' }]);

    running = ['e1', 'e2'];
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    running = [];
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);

    expect(registry.beats.map((b) => [b.lastSeen, b.runningRuns])).toEqual([
      ['2026-12-06T03:00:00.000Z', []],
      ['2026-12-06T03:00:15.000Z', ['e1', 'e2']],
      ['2026-12-06T03:00:30.000Z', []],
    ]);
  });

  it('reports a failed beat and beats again at the next interval', async () => {
    registry.failNext = 1;
    await heartbeat.start();
    expect(errors).toEqual([new Error('table unavailable')]);
    expect(registry.rows.size).toBe(0);

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(registry.rows.size).toBe(1);
  });

  it('never starts a beat while the last one is in flight', async () => {
    await heartbeat.start();
    let release: () => void = () => undefined;
    registry.hold = new Promise<void>((r) => (release = r));

    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(registry.beats).toHaveLength(2);

    release();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(registry.beats).toHaveLength(3);
  });

  it('on stop removes its row, beats no more and leaves no timer', async () => {
    await heartbeat.start();
    expect(registry.rows.has('Runbook/host-1-1234-abcd')).toBe(true);

    await heartbeat.stop();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);

    expect(registry.rows.size).toBe(0);
    expect(registry.beats).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('schedules nothing after a beat that was in flight when it stopped', async () => {
    await heartbeat.start();
    let release: () => void = () => undefined;
    registry.hold = new Promise<void>((r) => (release = r));
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);

    // stop() may wait for the beat in flight (it does once the worker ticks with core/ticker.ts)
    const stopping = heartbeat.stop();
    release();
    await stopping;
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);

    expect(registry.beats).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a non-positive interval', () => {
    expect(
      () =>
        new Heartbeat({ registry, identity: IDENTITY, runningRuns: () => [], intervalMs: 0, onError: () => undefined }),
    ).toThrow('intervalMs must be > 0');
  });
});
