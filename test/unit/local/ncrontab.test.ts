import { describe, expect, it } from 'vitest';
import { housekeepingFunction } from '../../../src/functions/housekeeping.js';
import { parseSchedule } from '../../../src/local/ncrontab.js';

const next = (schedule: string, after: string) => parseSchedule(schedule).next(new Date(after)).toISOString();

describe('NCRONTAB schedules of the local host', () => {
  it("runs Housekeeping's schedule on every minute, as Azure does", () => {
    const { schedule } = housekeepingFunction(() => {
      throw new Error('not called');
    });
    expect(next(schedule, '2025-03-01T10:00:00.000Z')).toBe('2025-03-01T10:01:00.000Z');
    expect(next(schedule, '2025-03-01T10:00:59.999Z')).toBe('2025-03-01T10:01:00.000Z');
    expect(next(schedule, '2025-12-31T23:59:30.000Z')).toBe('2026-01-01T00:00:00.000Z');
  });

  it('understands numbers, ranges, steps and lists in each of the six fields', () => {
    expect(next('*/15 * * * * *', '2025-03-01T10:00:14.000Z')).toBe('2025-03-01T10:00:15.000Z');
    expect(next('0 30 9-17/4 * * *', '2025-03-01T10:00:00.000Z')).toBe('2025-03-01T13:30:00.000Z');
    expect(next('0 0 0 1 1,7 *', '2025-03-01T10:00:00.000Z')).toBe('2025-07-01T00:00:00.000Z');
    // 2025-03-01 is a Saturday: the next Monday
    expect(next('0 0 6 * * 1', '2025-03-01T10:00:00.000Z')).toBe('2025-03-03T06:00:00.000Z');
    expect(next('5/20 * * * * *', '2025-03-01T10:00:30.000Z')).toBe('2025-03-01T10:00:45.000Z');
  });

  it('reads names, and needs a day and a day of week both given to both hold, as NCRONTAB does', () => {
    // 2025-03-01 is a Saturday
    expect(next('0 0 9 * * Mon', '2025-03-01T10:00:00.000Z')).toBe('2025-03-03T09:00:00.000Z');
    // the 13th that is a Friday: June 2025
    expect(next('0 0 0 13 * 5', '2025-03-01T10:00:00.000Z')).toBe('2025-06-13T00:00:00.000Z');
  });

  it('refuses what it cannot read, saying which schedule, rather than misread it', () => {
    expect(() => parseSchedule('0 */5 * * *')).toThrow(/^schedule "0 \*\/5 \* \* \*": /);
    expect(() => parseSchedule('0 61 * * * *')).toThrow(/^schedule "0 61 \* \* \* \*": /);
    expect(() => parseSchedule('0 0 0 31 2 *').next(new Date())).toThrow('no occurrence to come');
  });
});
