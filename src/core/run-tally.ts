import { z } from 'zod';
import { ExecutionStatus, isTerminal, Run } from './execution.js';

/**
 * What statistics need of a row: a few fields, so a scan can ask the table for these alone. An unmatched
 * alert's row has no schema: it counts by status, in no schema's figures.
 */
export const RunSummary = Run.pick({
  requestedAt: true,
  startedAt: true,
  finishedAt: true,
  resourceId: true,
  // a null is not stored: an unmatched alert's row has no schemaId at all
}).extend({ schemaId: z.string().nullable().default(null), status: ExecutionStatus });
export type RunSummary = z.infer<typeof RunSummary>;

/** The fields of a RunSummary, as a table query's `select` names them. */
export const RUN_SUMMARY_FIELDS: readonly string[] = Object.keys(RunSummary.shape);

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Outcomes that count against a schema: the runbook or its run went wrong. */
export const FAILURES: ReadonlySet<ExecutionStatus> = new Set(['failed', 'timed_out', 'error', 'abandoned']);

/**
 * One schema's runs of one UTC hour, with everything statistics derive from them. Durations are kept
 * whole (not as a percentile) so hours can be merged into any range and the percentiles stay exact.
 */
export const SchemaTally = z.object({
  /** null: unmatched alerts, which count by status in no schema's figures. */
  schemaId: z.string().nullable(),
  byStatus: z.partialRecord(ExecutionStatus, z.number().int().nonnegative()),
  /** Wall time of each run with a start and an end, ms, in no particular order. */
  durationsMs: z.array(z.number()),
  /** Failures per resource id (alert runs), as [resourceId, failures] pairs. */
  failingResources: z.array(z.tuple([z.string(), z.number().int().positive()])),
});
export type SchemaTally = z.infer<typeof SchemaTally>;

export const HourTally = z.object({
  /** Start of the UTC hour, ms since the epoch. */
  startMs: z.number().int(),
  schemas: z.array(SchemaTally),
});
export type HourTally = z.infer<typeof HourTally>;

/**
 * The finished runs of one UTC day, by hour: written once when nothing in the day can change any more
 * (see `isSettledDay`), so a week or a month of statistics reads a few of these instead of every run.
 */
export const DayDigest = z.object({
  version: z.literal(1),
  /** `2026-05-01`: the UTC day of the runs' request times. */
  day: z.iso.date(),
  computedAt: z.iso.datetime({ offset: true }),
  runs: z.number().int().nonnegative(),
  /** Hours with at least one run, oldest first. */
  hours: z.array(HourTally),
});
export type DayDigest = z.infer<typeof DayDigest>;

/** Runs tallied by UTC hour of their request time (any range; hours without runs are left out). */
export function tallyByHour(runs: readonly RunSummary[]): HourTally[] {
  const hours = new Map<number, Map<string | null, SchemaTally>>();
  for (const run of runs) {
    const startMs = Math.floor(Date.parse(run.requestedAt) / HOUR_MS) * HOUR_MS;
    const schemas = hours.get(startMs) ?? new Map<string | null, SchemaTally>();
    hours.set(startMs, schemas);
    const tally = schemas.get(run.schemaId) ?? {
      schemaId: run.schemaId,
      byStatus: {},
      durationsMs: [],
      failingResources: [],
    };
    schemas.set(run.schemaId, tally);
    tally.byStatus[run.status] = (tally.byStatus[run.status] ?? 0) + 1;
    if (run.startedAt && run.finishedAt) tally.durationsMs.push(Date.parse(run.finishedAt) - Date.parse(run.startedAt));
    if (FAILURES.has(run.status) && run.resourceId) {
      const found = tally.failingResources.find(([id]) => id === run.resourceId);
      if (found) found[1] += 1;
      else tally.failingResources.push([run.resourceId, 1]);
    }
  }
  return [...hours]
    .sort(([a], [b]) => a - b)
    .map(([startMs, schemas]) => ({ startMs, schemas: [...schemas.values()] }));
}

/** How long after its end a day's rows may still change: a run's row is written a moment after its id. */
export const DAY_SETTLE_MS = 5 * 60_000;
/**
 * How long an `abandoned` run may still change: its worker may report the real outcome while the runbook
 * runs, and no runbook runs longer than a day (`timeout_seconds` ≤ 86 400), plus the kill grace.
 */
export const ABANDONED_SETTLE_MS = DAY_MS + HOUR_MS;

/**
 * Whether a day's runs are final, so its digest may be written once and trusted for ever: the day ended
 * DAY_SETTLE_MS ago, no run waits or runs, and no abandoned run could still learn its real outcome.
 */
export function isSettledDay(dayStartMs: number, runs: readonly RunSummary[], nowMs: number): boolean {
  if (nowMs < dayStartMs + DAY_MS + DAY_SETTLE_MS) return false;
  return runs.every((run) => {
    if (run.status === 'abandoned') {
      const since = Date.parse(run.finishedAt ?? run.requestedAt);
      return nowMs - since >= ABANDONED_SETTLE_MS;
    }
    return isTerminal(run.status);
  });
}

/** `2026-05-01` for any time of that UTC day. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
