import { z } from 'zod';
import { SchemaId } from '../../core/runbook-schema.js';
import { checkRangeOrder, IsoTimeParam } from './time-range.js';

const DAY_MS = 86_400_000;
/** The longest range statistics cover: what one call may scan is bounded by it (and by the row cap). */
export const MAX_STATS_RANGE_MS = 31 * DAY_MS;
/** The range when `from` is left out: the day before `to`. */
export const DEFAULT_STATS_RANGE_MS = DAY_MS;

/** `GET /api/stats`' parameters, every one optional; times are ms once parsed. */
export const StatsQuery = z
  .object({ from: IsoTimeParam.optional(), to: IsoTimeParam.optional(), schema: SchemaId.optional() })
  .superRefine(checkRangeOrder)
  .superRefine((range, ctx) => {
    if (range.from !== undefined && range.to !== undefined && range.to - range.from > MAX_STATS_RANGE_MS) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'the range may span at most 31 days' });
    }
  });

export interface StatsRange {
  readonly fromMs: number;
  readonly toMs: number;
  readonly schemaId: string | undefined;
}

/**
 * The range to report: `to` defaults to now rounded up to `stepMs` (so calls within one step ask the same
 * question and share a cached answer), `from` to a day before `to`. Bad values throw a ZodError (400).
 */
export function parseStatsRange(params: URLSearchParams, nowMs: number, stepMs: number): StatsRange {
  const given = StatsQuery.parse(Object.fromEntries(params));
  const toMs = given.to ?? Math.ceil(nowMs / stepMs) * stepMs;
  const fromMs = given.from ?? toMs - DEFAULT_STATS_RANGE_MS;
  // checked again with the defaults filled in: `from=` alone may be after now, or more than 31 days before it
  const range = StatsQuery.parse({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() });
  return { fromMs: range.from ?? fromMs, toMs: range.to ?? toMs, schemaId: given.schema };
}
