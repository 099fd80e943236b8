import { describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../../src/core/execution.js';
import type { RunSummary } from '../../../src/core/run-stats.js';
import { bucketSizeFor, computeRunStats, percentile } from '../../../src/core/run-stats.js';

const HOUR = 3_600_000;
const FROM = Date.parse('2026-05-01T00:00:00Z');

function run(atMs: number, status: ExecutionStatus, schemaId = 'disk', durationMs?: number, resourceId?: string) {
  const summary: RunSummary = {
    schemaId,
    status,
    requestedAt: new Date(atMs).toISOString(),
    startedAt: durationMs === undefined ? null : new Date(atMs).toISOString(),
    finishedAt: durationMs === undefined ? null : new Date(atMs + durationMs).toISOString(),
    resourceId: resourceId ?? null,
  };
  return summary;
}

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    expect(percentile(values, 50)).toBe(100);
    expect(percentile(values, 95)).toBe(190);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('computeRunStats', () => {
  it('uses hour buckets up to 48 h and day buckets beyond', () => {
    expect(bucketSizeFor(FROM, FROM + 48 * HOUR)).toBe('hour');
    expect(bucketSizeFor(FROM, FROM + 48 * HOUR + 1)).toBe('day');
    const day = computeRunStats([], FROM, FROM + 24 * HOUR - 1);
    expect(day.buckets).toHaveLength(24);
    expect(day.buckets[0]?.start).toBe('2026-05-01T00:00:00.000Z');
    const week = computeRunStats([], FROM + 5 * HOUR, FROM + 7 * 24 * HOUR - 1);
    expect(week.bucket).toBe('day');
    expect(week.buckets.map((b) => b.start.slice(0, 10))).toEqual([
      '2026-05-01',
      '2026-05-02',
      '2026-05-03',
      '2026-05-04',
      '2026-05-05',
      '2026-05-06',
      '2026-05-07',
    ]);
  });

  it('counts runs by status in their bucket and leaves out runs outside the range', () => {
    const stats = computeRunStats(
      [
        run(FROM, 'succeeded'),
        run(FROM + 10 * 60_000, 'failed'),
        run(FROM + HOUR + 1, 'succeeded'),
        run(FROM - 1, 'failed'),
        run(FROM + 3 * HOUR, 'failed'),
      ],
      FROM,
      FROM + 3 * HOUR - 1,
    );
    expect(stats.total).toBe(3);
    expect(stats.byStatus).toEqual({ succeeded: 2, failed: 1 });
    expect(stats.buckets.map((b) => [b.total, b.byStatus])).toEqual([
      [2, { succeeded: 1, failed: 1 }],
      [1, { succeeded: 1 }],
      [0, {}],
    ]);
  });

  it('gives each schema its success rate over runs with an outcome, and its duration percentiles', () => {
    const runs = [
      ...Array.from({ length: 18 }, (_, i) => run(FROM + i, 'succeeded', 'disk', (i + 1) * 100)),
      run(FROM + 100, 'failed', 'disk', 1900),
      run(FROM + 101, 'timed_out', 'disk', 2000),
      run(FROM + 102, 'running', 'disk'),
      run(FROM + 103, 'cancelled', 'disk'),
      run(FROM + 104, 'accepted', 'idle'),
    ];
    const stats = computeRunStats(runs, FROM, FROM + HOUR);
    expect(stats.schemas).toEqual([
      {
        schemaId: 'disk',
        runs: 22,
        succeeded: 18,
        failures: 2,
        successRate: 0.9,
        p50DurationMs: 1000,
        p95DurationMs: 1900,
      },
      {
        schemaId: 'idle',
        runs: 1,
        succeeded: 0,
        failures: 0,
        successRate: null,
        p50DurationMs: null,
        p95DurationMs: null,
      },
    ]);
  });

  it('ranks failing schemas and failing resources, ties by name', () => {
    const vm1 = '/subscriptions/s/vm-1';
    const vm2 = '/subscriptions/s/vm-2';
    const stats = computeRunStats(
      [
        run(FROM, 'failed', 'disk', 1, vm1),
        run(FROM, 'error', 'cpu', 1, vm1),
        run(FROM, 'abandoned', 'cpu', 1, vm2),
        run(FROM, 'failed', 'backup'),
        run(FROM, 'succeeded', 'backup', 1, vm2),
        run(FROM, 'succeeded', 'ok'),
      ],
      FROM,
      FROM + HOUR,
      2,
    );
    expect(stats.topFailingSchemas).toEqual([
      { schemaId: 'cpu', failures: 2, runs: 2 },
      { schemaId: 'backup', failures: 1, runs: 2 },
    ]);
    expect(stats.topFailingResources).toEqual([
      { resourceId: vm1, failures: 2, schemaIds: ['cpu', 'disk'] },
      { resourceId: vm2, failures: 1, schemaIds: ['cpu'] },
    ]);
  });
});
