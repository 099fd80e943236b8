import { describe, expect, it } from 'vitest';
import { wallClock } from '../../../src/core/wall-clock.js';

describe('wallClock', () => {
  it('reads an instant as a clock in the zone does, across a DST change', () => {
    expect(wallClock('2026-03-29T00:30:00Z', 'Europe/Rome')).toBe('2026-03-29 01:30');
    expect(wallClock('2026-03-29T01:30:00Z', 'Europe/Rome', { seconds: true, zoneName: 'shortOffset' })).toBe(
      '2026-03-29 03:30:00 GMT+2',
    );
    expect(wallClock('2026-12-07T01:30:00Z', 'Asia/Tokyo', { zoneName: 'short' })).toBe('2026-12-07 10:30 GMT+9');
  });

  it('says null for a zone it does not know, so callers fall back to UTC', () => {
    expect(wallClock('2026-12-07T01:30:00Z', 'Mars/Olympus')).toBeNull();
  });
});
