import { DAY_MS, DAY_SETTLE_MS, dayOf, HOUR_MS } from './run-tally.js';

/** A UTC day whose digest may cover the whole hours [fromMs, toMs) of a range. */
export interface DigestDay {
  /** `2026-05-01`. */
  readonly day: string;
  readonly dayStartMs: number;
  /** First whole hour of the range in that day (inclusive). */
  readonly fromMs: number;
  /** End of the last whole hour of the range in that day (exclusive). */
  readonly toMs: number;
}

/** How statistics of [fromMs, toMs] are read: some ranges row by row, some days from their digest. */
export interface StatsReadPlan {
  /** Time ranges (inclusive bounds) read row by row: the range's ragged start, and the recent part. */
  readonly scans: readonly { fromMs: number; toMs: number }[];
  readonly days: readonly DigestDay[];
}

/**
 * Splits a range into the whole hours of days that ended DAY_SETTLE_MS ago (read from day digests, or
 * from a scan of that day that then writes its digest) and the rest: at most the part of an hour before
 * the first whole hour, and what follows the last day that ended, read row by row. For "the last 7 days"
 * that is the runs of a part of an hour and of today, whatever the week held.
 */
export function planStatsReads(fromMs: number, toMs: number, nowMs: number): StatsReadPlan {
  const firstHourMs = Math.ceil(fromMs / HOUR_MS) * HOUR_MS;
  const wholeHoursEndMs = Math.floor((toMs + 1) / HOUR_MS) * HOUR_MS;
  const settledEndMs = Math.floor((nowMs - DAY_SETTLE_MS) / DAY_MS) * DAY_MS;
  const digestEndMs = Math.min(wholeHoursEndMs, settledEndMs);
  if (firstHourMs >= digestEndMs) return { scans: [{ fromMs, toMs }], days: [] };
  const scans: { fromMs: number; toMs: number }[] = [];
  if (fromMs < firstHourMs) scans.push({ fromMs, toMs: firstHourMs - 1 });
  if (digestEndMs <= toMs) scans.push({ fromMs: digestEndMs, toMs });
  const days: DigestDay[] = [];
  for (let dayStartMs = Math.floor(firstHourMs / DAY_MS) * DAY_MS; dayStartMs < digestEndMs; dayStartMs += DAY_MS) {
    days.push({
      day: dayOf(dayStartMs),
      dayStartMs,
      fromMs: Math.max(dayStartMs, firstHourMs),
      toMs: Math.min(dayStartMs + DAY_MS, digestEndMs),
    });
  }
  return { scans, days };
}
