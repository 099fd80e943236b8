import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { parseStatsRange } from '../../../../src/functions/http/stats-query.js';

const NOW = Date.parse('2026-05-10T12:00:10Z');
const parse = (query: Record<string, string>) => parseStatsRange(new URLSearchParams(query), NOW, 30_000);
const problem = (query: Record<string, string>) => {
  try {
    parse(query);
  } catch (err) {
    if (err instanceof ZodError) return `${err.issues[0]?.path.join('.')}: ${err.issues[0]?.message}`;
    throw err;
  }
  return null;
};

describe('parseStatsRange', () => {
  it('defaults to the last 24 h, its end rounded up to the cache step', () => {
    expect(parse({})).toEqual({
      fromMs: Date.parse('2026-05-09T12:00:30Z'),
      toMs: Date.parse('2026-05-10T12:00:30Z'),
      schemaId: undefined,
    });
  });

  it('takes a given range and schema', () => {
    expect(parse({ from: '2026-05-01', to: '2026-05-08', schema: 'disk' })).toEqual({
      fromMs: Date.parse('2026-05-01T00:00:00Z'),
      toMs: Date.parse('2026-05-08T00:00:00Z'),
      schemaId: 'disk',
    });
    expect(parse({ to: '2026-05-03T00:00:00Z' }).fromMs).toBe(Date.parse('2026-05-02T00:00:00Z'));
  });

  it.each([
    [{ from: 'last week' }, 'from: must be an ISO time, e.g. 2026-05-01T12:00:00Z'],
    [{ from: '2026-05-02', to: '2026-05-01' }, 'from: must not be after to'],
    [{ from: '2026-06-01' }, 'from: must not be after to'],
    [{ from: '2026-03-01', to: '2026-05-01' }, 'from: the range may span at most 31 days'],
    [{ from: '2026-04-01' }, 'from: the range may span at most 31 days'],
    [{ schema: "x' or 1 eq 1" }, 'schema: must be 1-128 letters, digits, ".", "_", ":" or "-"'],
  ])('refuses %j', (query, message) => {
    expect(problem(query)).toBe(message);
  });
});
