import type { RunStats } from '../../core/run-stats.js';
import { statsFromTallies } from '../../core/run-stats.js';
import type { HourTally } from '../../core/run-tally.js';
import { DAY_MS, isSettledDay, tallyByHour } from '../../core/run-tally.js';
import type { DigestDay } from '../../core/stats-plan.js';
import { planStatsReads } from '../../core/stats-plan.js';
import type { Storage } from '../../storage/index.js';
import type { StatsRange } from './stats-query.js';
import { TtlCache } from './ttl-cache.js';

/** How long an answer is reused, and the step the default range's end is rounded up to. */
export const STATS_CACHE_TTL_MS = 30_000;
/** Rows one scan reads at most (a recent part of a range, or a day without a digest yet). */
export const STATS_MAX_ROWS = 50_000;
const STATS_CACHE_ENTRIES = 100;
/** Days read at once: a month without digests is 31 scans, which Azurite and the table serve a few at a time. */
const DAY_READS_AT_ONCE = 6;

export interface StatsAnswer {
  readonly stats: RunStats;
  /** A scan stopped at STATS_MAX_ROWS: the oldest part of that scan is left out. */
  readonly truncated: boolean;
  readonly computedAt: string;
  /** What it cost: rows read one by one, and days taken from their digest. */
  readonly rowsRead: number;
  readonly digestsRead: number;
}

/**
 * Statistics of a range, read the cheapest way: settled days from their digest (computed from one scan
 * of the day the first time it is asked for, then kept), the rest row by row; answers kept
 * STATS_CACHE_TTL_MS per range and schema. `/api/stats` and the dashboard page share the arithmetic.
 */
export interface RunStatsReaderOptions {
  /** How long an answer is reused, ms (STATS_CACHE_TTL_MS). */
  readonly cacheTtlMs?: number;
  /** The clock deciding which days are settled (tests set it). */
  readonly now?: () => number;
}

export class RunStatsReader {
  private readonly cache: TtlCache<StatsAnswer>;
  private readonly now: () => number;

  constructor(options: RunStatsReaderOptions = {}) {
    this.cache = new TtlCache<StatsAnswer>(options.cacheTtlMs ?? STATS_CACHE_TTL_MS, STATS_CACHE_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  read(storage: Storage, range: StatsRange): Promise<StatsAnswer> {
    const key = `${storage.names.executionsTable}|${range.fromMs}|${range.toMs}|${range.schemaId ?? ''}`;
    return this.cache.get(key, () => this.compute(storage, range));
  }

  private async compute(storage: Storage, { fromMs, toMs, schemaId }: StatsRange): Promise<StatsAnswer> {
    const nowMs = this.now();
    const plan = planStatsReads(fromMs, toMs, nowMs);
    const readDays = async () => {
      const days: { hours: HourTally[]; truncated: boolean; rowsRead: number; fromDigest: boolean }[] = [];
      for (let i = 0; i < plan.days.length; i += DAY_READS_AT_ONCE) {
        const batch = plan.days.slice(i, i + DAY_READS_AT_ONCE);
        days.push(...(await Promise.all(batch.map((day) => readDay(storage, day, nowMs)))));
      }
      return days;
    };
    // awaited together: a scan that fails while the days are read is this answer's error, not a stray one
    const [scanned, days] = await Promise.all([
      Promise.all(plan.scans.map((s) => storage.executions.listSummaries({ ...s, schemaId, maxRows: STATS_MAX_ROWS }))),
      readDays(),
    ]);
    const hours = [...days.flatMap((d) => d.hours), ...tallyByHour(scanned.flatMap((s) => s.runs))];
    return {
      stats: statsFromTallies(hours, fromMs, toMs, { schemaId }),
      truncated: scanned.some((s) => s.truncated) || days.some((d) => d.truncated),
      computedAt: new Date(nowMs).toISOString(),
      rowsRead: scanned.reduce((n, s) => n + s.runs.length, 0) + days.reduce((n, d) => n + d.rowsRead, 0),
      digestsRead: days.filter((d) => d.fromDigest).length,
    };
  }
}

/** A day's whole hours of the range: from its digest, or from a scan of the day that writes the digest. */
async function readDay(storage: Storage, day: DigestDay, nowMs: number) {
  const inRange = (h: HourTally) => h.startMs >= day.fromMs && h.startMs < day.toMs;
  const digest = await storage.runDigests.read(day.day);
  if (digest) return { hours: digest.hours.filter(inRange), truncated: false, rowsRead: 0, fromDigest: true };
  // the whole day, every schema: the digest serves every later range and schema filter
  const scan = await storage.executions.listSummaries({
    fromMs: day.dayStartMs,
    toMs: day.dayStartMs + DAY_MS - 1,
    maxRows: STATS_MAX_ROWS,
  });
  const hours = tallyByHour(scan.runs);
  if (!scan.truncated && isSettledDay(day.dayStartMs, scan.runs, nowMs)) {
    const computedAt = new Date(nowMs).toISOString();
    await storage.runDigests.write({ version: 1, day: day.day, computedAt, runs: scan.runs.length, hours });
  }
  return { hours: hours.filter(inRange), truncated: scan.truncated, rowsRead: scan.runs.length, fromDigest: false };
}
