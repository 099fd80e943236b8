import { describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../../src/core/execution.js';
import type { RunSummary } from '../../../src/core/run-stats.js';
import { computeRunStats, statsFromTallies } from '../../../src/core/run-stats.js';
import { ABANDONED_SETTLE_MS, DAY_MS, HourTally, isSettledDay, tallyByHour } from '../../../src/core/run-tally.js';
import { planStatsReads } from '../../../src/core/stats-plan.js';

const HOUR = 3_600_000;
const MAY1 = Date.parse('2026-05-01T00:00:00Z');

const run = (atMs: number, status: ExecutionStatus, schemaId: string | null = 'disk', resourceId?: string) =>
  ({
    schemaId,
    status,
    requestedAt: new Date(atMs).toISOString(),
    startedAt: new Date(atMs).toISOString(),
    finishedAt: new Date(atMs + ((atMs / 1000) % 977)).toISOString(),
    resourceId: resourceId ?? null,
  }) satisfies RunSummary;

describe('planStatsReads', () => {
  it('reads settled days from digests, and only the ragged start and today row by row', () => {
    const nowMs = MAY1 + 7 * DAY_MS + 10 * HOUR + 1234;
    const plan = planStatsReads(nowMs - 7 * DAY_MS, nowMs, nowMs);
    expect(plan.scans).toEqual([
      { fromMs: nowMs - 7 * DAY_MS, toMs: MAY1 + 11 * HOUR - 1 },
      { fromMs: MAY1 + 7 * DAY_MS, toMs: nowMs },
    ]);
    expect(plan.days.map((d) => [d.day, (d.fromMs - d.dayStartMs) / HOUR, (d.toMs - d.dayStartMs) / HOUR])).toEqual([
      ['2026-05-01', 11, 24],
      ['2026-05-02', 0, 24],
      ['2026-05-03', 0, 24],
      ['2026-05-04', 0, 24],
      ['2026-05-05', 0, 24],
      ['2026-05-06', 0, 24],
      ['2026-05-07', 0, 24],
    ]);
  });

  it('scans a range within today, and waits a few minutes after midnight before trusting yesterday', () => {
    const justAfterMidnight = MAY1 + DAY_MS + 60_000;
    expect(planStatsReads(MAY1, justAfterMidnight, justAfterMidnight)).toEqual({
      scans: [{ fromMs: MAY1, toMs: justAfterMidnight }],
      days: [],
    });
  });

  it('ends on the last whole hour of a range that ends in the past', () => {
    const plan = planStatsReads(MAY1, MAY1 + 30 * HOUR + 5, MAY1 + 10 * DAY_MS);
    expect(plan.scans).toEqual([{ fromMs: MAY1 + 30 * HOUR, toMs: MAY1 + 30 * HOUR + 5 }]);
    expect(plan.days.map((d) => [d.day, d.fromMs, d.toMs])).toEqual([
      ['2026-05-01', MAY1, MAY1 + DAY_MS],
      ['2026-05-02', MAY1 + DAY_MS, MAY1 + 30 * HOUR],
    ]);
  });
});

describe('hour tallies', () => {
  // a day and a half of mixed runs, unmatched alerts among them
  const runs = Array.from({ length: 500 }, (_, i) =>
    run(
      MAY1 + i * 263_000,
      (['succeeded', 'failed', 'timed_out', 'cancelled', 'unmatched'] as const)[i % 5] ?? 'succeeded',
      i % 5 === 4 ? null : `s${i % 3}`,
      i % 2 === 0 ? `/vm/${i % 7}` : undefined,
    ),
  );

  it('give the same statistics as the runs they tally, split and merged any way', () => {
    const fromMs = MAY1 + 2 * HOUR;
    const toMs = MAY1 + 36 * HOUR - 1;
    const direct = computeRunStats(runs, fromMs, toMs);
    const inRange = runs.filter((r) => Date.parse(r.requestedAt) >= fromMs && Date.parse(r.requestedAt) <= toMs);
    // as the reader gets them: part from a digest (written as JSON and parsed back), part scanned
    const half = Math.floor(inRange.length / 2);
    const stored = tallyByHour(inRange.slice(0, half)).map((h) => HourTally.parse(JSON.parse(JSON.stringify(h))));
    const merged = statsFromTallies([...stored, ...tallyByHour(inRange.slice(half))], fromMs, toMs);
    expect(merged).toEqual(direct);
    expect(direct.total).toBe(inRange.length);
    expect(direct.topFailingResources.length).toBeGreaterThan(0);
  });

  it('narrow to one schema', () => {
    const stats = statsFromTallies(tallyByHour(runs), MAY1, MAY1 + 47 * HOUR, { schemaId: 's1' });
    expect(stats.schemas.map((s) => s.schemaId)).toEqual(['s1']);
    expect(stats.total).toBe(runs.filter((r) => r.schemaId === 's1').length);
  });
});

describe('isSettledDay', () => {
  const end = MAY1 + DAY_MS;
  it('waits for the day to end, and for every run to end', () => {
    expect(isSettledDay(MAY1, [run(MAY1, 'succeeded')], end)).toBe(false);
    expect(isSettledDay(MAY1, [run(MAY1, 'succeeded')], end + 10 * 60_000)).toBe(true);
    for (const status of ['running', 'accepted', 'pending_approval'] as const) {
      expect(isSettledDay(MAY1, [run(MAY1, status)], end + DAY_MS)).toBe(false);
    }
  });

  it('waits for an abandoned run until its worker could no longer report its real outcome', () => {
    const abandoned = run(MAY1 + 23 * HOUR, 'abandoned');
    expect(isSettledDay(MAY1, [abandoned], end + HOUR)).toBe(false);
    expect(isSettledDay(MAY1, [abandoned], MAY1 + 23 * HOUR + ABANDONED_SETTLE_MS + 1000)).toBe(true);
  });
});
