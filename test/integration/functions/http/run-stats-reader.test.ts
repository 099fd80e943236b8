import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, dayOf } from '../../../../src/core/run-tally.js';
import { RunStatsReader } from '../../../../src/functions/http/run-stats-reader.js';
import { seededRun } from '../../../support/seeded-runs.js';
import type { TestStorage } from '../../../support/storage.js';
import { createTestStorage } from '../../../support/storage.js';

const HOUR = 3_600_000;

describe('statistics over days read settled days from their digest', () => {
  let t: TestStorage;
  const nowMs = Math.floor(Date.now() / DAY_MS) * DAY_MS + 12 * HOUR;
  const week = { fromMs: nowMs - 7 * DAY_MS, toMs: nowMs, schemaId: undefined };
  const dayAgo = (days: number, hour: number) => Math.floor(nowMs / DAY_MS) * DAY_MS - days * DAY_MS + hour * HOUR;

  beforeAll(async () => {
    t = await createTestStorage();
    const runs = [
      ...[1, 2, 3, 4, 5].flatMap((d) => [
        seededRun(dayAgo(d, 3), 'succeeded', { durationMs: 1000 * d }),
        seededRun(dayAgo(d, 15), 'failed', { durationMs: 500, schemaId: 'backup', resourceId: '/vm/1' }),
      ]),
      // three days ago, a run still going: that day cannot be digested yet
      seededRun(dayAgo(3, 20), 'running'),
      // today, and in the ragged first hours of the week (7 days ago, before and after noon)
      seededRun(nowMs - HOUR, 'succeeded', { durationMs: 10 }),
      seededRun(dayAgo(7, 11), 'failed'),
      seededRun(dayAgo(7, 13), 'failed'),
    ];
    for (const run of runs) await t.storage.executions.create(run);
  });
  afterAll(() => t.cleanup());

  it('computes a missing digest from one scan of the day, then answers the same from digests alone', async () => {
    const first = await new RunStatsReader({ now: () => nowMs }).read(t.storage, week);
    expect(first.stats.total).toBe(10 + 1 + 1 + 1);
    expect(first.stats.byStatus).toEqual({ succeeded: 6, failed: 6, running: 1 });
    expect(first.digestsRead).toBe(0);

    const written = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((d) => t.storage.runDigests.read(dayOf(dayAgo(d, 0)))));
    expect(written.map((w) => w?.runs ?? null)).toEqual([2, 2, null, 2, 2, 0, 2]);

    const second = await new RunStatsReader({ now: () => nowMs }).read(t.storage, week);
    expect(second.stats).toEqual(first.stats);
    expect(second.digestsRead).toBe(6);
    // read row by row: the day with a running run, today, and the part of an hour before the first whole one
    expect(second.rowsRead).toBe(3 + 1);
  });

  it('narrows digests to one schema', async () => {
    const answer = await new RunStatsReader({ now: () => nowMs }).read(t.storage, { ...week, schemaId: 'backup' });
    expect(answer.stats.total).toBe(5);
    expect(answer.stats.topFailingResources).toEqual([{ resourceId: '/vm/1', failures: 5, schemaIds: ['backup'] }]);
  });
});
