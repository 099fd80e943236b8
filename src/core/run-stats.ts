import type { ExecutionStatus } from './execution.js';
import type { HourTally, RunSummary } from './run-tally.js';
import { DAY_MS, FAILURES, HOUR_MS, tallyByHour } from './run-tally.js';

// where storage and tests have always found them
export { RUN_SUMMARY_FIELDS, RunSummary } from './run-tally.js';

/** Ranges up to this long are shown by the hour; longer ones by the day. */
export const HOURLY_BUCKETS_UP_TO_MS = 48 * 3_600_000;

export type BucketSize = 'hour' | 'day';
export type StatusCounts = Partial<Record<ExecutionStatus, number>>;

export interface StatsBucket {
  /** Start of the bucket (UTC hour or day), ISO time; the bucket ends where the next starts. */
  readonly start: string;
  readonly total: number;
  readonly byStatus: StatusCounts;
}

export interface SchemaStats {
  readonly schemaId: string;
  readonly runs: number;
  readonly succeeded: number;
  /** Runs that failed, timed out, hit an error or were abandoned. */
  readonly failures: number;
  /** succeeded / (succeeded + failures), 0-1; null when no run of the schema has an outcome yet. */
  readonly successRate: number | null;
  /** Median and 95th percentile (nearest rank) of finished runs' wall time, ms; null without one. */
  readonly p50DurationMs: number | null;
  readonly p95DurationMs: number | null;
}

export interface RunStats {
  readonly fromMs: number;
  readonly toMs: number;
  readonly bucket: BucketSize;
  readonly total: number;
  readonly byStatus: StatusCounts;
  readonly buckets: StatsBucket[];
  /** Every schema with a run in the range, most runs first. */
  readonly schemas: SchemaStats[];
  /** Schemas with the most failures (at least one), most first. */
  readonly topFailingSchemas: { schemaId: string; failures: number; runs: number }[];
  /** Resources (alert runs) with the most failures, most first, with the schemas that failed on them. */
  readonly topFailingResources: { resourceId: string; failures: number; schemaIds: string[] }[];
}

export function bucketSizeFor(fromMs: number, toMs: number): BucketSize {
  return toMs - fromMs <= HOURLY_BUCKETS_UP_TO_MS ? 'hour' : 'day';
}

/** The value at percentile `p` (0-100) of ascending `sorted` values, nearest rank; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? null;
}

interface SchemaAccumulator {
  runs: number;
  succeeded: number;
  failures: number;
  durationsMs: number[];
}

/**
 * Runs by status per UTC hour (ranges up to 48 h) or day, success rate and duration percentiles per
 * schema, and where failures concentrate. Pure: the runs in [fromMs, toMs] come in, numbers go out;
 * runs outside the range are ignored.
 */
export function computeRunStats(runs: readonly RunSummary[], fromMs: number, toMs: number, top = 10): RunStats {
  const inRange = runs.filter((run) => {
    const at = Date.parse(run.requestedAt);
    return at >= fromMs && at <= toMs;
  });
  return statsFromTallies(tallyByHour(inRange), fromMs, toMs, { top });
}

export interface TallyOptions {
  /** Only this schema's runs (the tallies may hold every schema's). */
  readonly schemaId?: string | undefined;
  /** Length of the top lists (10). */
  readonly top?: number;
}

/**
 * The statistics of hour tallies that all lie in [fromMs, toMs] (whole hours from day digests, and
 * tallies of runs scanned live): the one place figures are derived, whichever way the runs were read.
 */
export function statsFromTallies(
  hours: readonly HourTally[],
  fromMs: number,
  toMs: number,
  options: TallyOptions = {},
): RunStats {
  const top = options.top ?? 10;
  const bucket = bucketSizeFor(fromMs, toMs);
  const size = bucket === 'hour' ? HOUR_MS : DAY_MS;
  const firstStartMs = Math.floor(fromMs / size) * size;
  const buckets: { start: string; total: number; byStatus: StatusCounts }[] = [];
  for (let start = firstStartMs; start <= toMs; start += size) {
    buckets.push({ start: new Date(start).toISOString(), total: 0, byStatus: {} });
  }
  const byStatus: StatusCounts = {};
  const schemas = new Map<string, SchemaAccumulator>();
  const resources = new Map<string, { failures: number; schemaIds: Set<string> }>();
  let total = 0;
  for (const hour of hours) {
    // days and hours are whole hours from the epoch: an hour falls in exactly one bucket
    const slot = buckets[Math.floor((hour.startMs - firstStartMs) / size)];
    if (!slot) continue;
    for (const tally of hour.schemas) {
      if (options.schemaId !== undefined && tally.schemaId !== options.schemaId) continue;
      for (const [status, n] of Object.entries(tally.byStatus) as [ExecutionStatus, number][]) {
        total += n;
        slot.total += n;
        byStatus[status] = (byStatus[status] ?? 0) + n;
        slot.byStatus[status] = (slot.byStatus[status] ?? 0) + n;
      }
      if (tally.schemaId === null) continue;
      const acc = schemas.get(tally.schemaId) ?? { runs: 0, succeeded: 0, failures: 0, durationsMs: [] };
      schemas.set(tally.schemaId, acc);
      for (const [status, n] of Object.entries(tally.byStatus) as [ExecutionStatus, number][]) {
        acc.runs += n;
        if (status === 'succeeded') acc.succeeded += n;
        if (FAILURES.has(status)) acc.failures += n;
      }
      for (const ms of tally.durationsMs) acc.durationsMs.push(ms);
      for (const [resourceId, failures] of tally.failingResources) {
        const resource = resources.get(resourceId) ?? { failures: 0, schemaIds: new Set<string>() };
        resources.set(resourceId, resource);
        resource.failures += failures;
        resource.schemaIds.add(tally.schemaId);
      }
    }
  }
  const schemaStats = [...schemas].map(([schemaId, t]): SchemaStats => {
    const sorted = t.durationsMs.sort((a, b) => a - b);
    const decided = t.succeeded + t.failures;
    return {
      schemaId,
      runs: t.runs,
      succeeded: t.succeeded,
      failures: t.failures,
      successRate: decided === 0 ? null : t.succeeded / decided,
      p50DurationMs: percentile(sorted, 50),
      p95DurationMs: percentile(sorted, 95),
    };
  });
  // ties are broken by name, so the same runs always give the same answer
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  schemaStats.sort((a, b) => b.runs - a.runs || byName(a.schemaId, b.schemaId));
  return {
    fromMs,
    toMs,
    bucket,
    total,
    byStatus,
    buckets,
    schemas: schemaStats,
    topFailingSchemas: schemaStats
      .filter((s) => s.failures > 0)
      .sort((a, b) => b.failures - a.failures || byName(a.schemaId, b.schemaId))
      .slice(0, top)
      .map(({ schemaId, failures, runs }) => ({ schemaId, failures, runs })),
    topFailingResources: [...resources]
      .sort(([a, x], [b, y]) => y.failures - x.failures || byName(a, b))
      .slice(0, top)
      .map(([resourceId, r]) => ({ resourceId, failures: r.failures, schemaIds: [...r.schemaIds].sort() })),
  };
}
