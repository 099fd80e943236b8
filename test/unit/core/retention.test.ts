import { describe, expect, it } from 'vitest';
import { isForgotten, KEPT_STATUSES, retentionCutoffMs } from '../../../src/core/retention.js';

describe('retention policy', () => {
  it('keeps the runs that may still move, and only those', () => {
    expect([...KEPT_STATUSES].sort()).toEqual(['accepted', 'pending_approval', 'running']);
  });

  it('draws the line at the start of the UTC day `days` ago, so a row is kept days to days + 1', () => {
    const now = new Date('2026-05-20T17:45:00.000Z');
    expect(new Date(retentionCutoffMs(now, 90)).toISOString()).toBe('2026-02-19T00:00:00.000Z');
    expect(new Date(retentionCutoffMs(new Date('2026-05-20T00:00:00.000Z'), 1)).toISOString()).toBe(
      '2026-05-19T00:00:00.000Z',
    );
  });

  it('forgets a worker only once it has been silent for longer than the dead-worker retention', () => {
    const now = new Date('2026-05-20T12:00:00.000Z');
    expect(isForgotten('2026-05-19T12:00:00.000Z', now, 86_400_000)).toBe(false);
    expect(isForgotten('2026-05-19T11:59:59.999Z', now, 86_400_000)).toBe(true);
  });
});
