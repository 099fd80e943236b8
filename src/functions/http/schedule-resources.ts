import type { Schedule, ScheduleResource } from '../../core/schedule.js';
import { toScheduleResource } from '../../core/schedule.js';
import { nextTicks } from '../../core/schedule-cron.js';
import type { Storage } from '../../storage/index.js';

/** Fire times a schedule resource lists by default: enough to see the pattern, cheap for a long list. */
export const DEFAULT_NEXT_TICKS = 3;

/** Fire times one request may ask for (`?next=`): a year of a daily schedule is a page, not a flood. */
export const MAX_NEXT_TICKS = 100;

/** The run a schedule's latest fired tick started, and how it stands. */
export interface LastRun {
  readonly exec_id: string;
  /** Null when the run is no longer stored (retention purged it). */
  readonly status: string | null;
}

/** A schedule as the admin API shows it: the stored resource, its next fire times and its last run. */
export interface ScheduleView extends ScheduleResource {
  /** The next fire times after now, in UTC, oldest first; fewer when the cron runs out. */
  readonly next_ticks: string[];
  readonly last_run: LastRun | null;
  readonly links: { readonly schedule: string; readonly schema: string; readonly executions: string };
}

/**
 * The next `count` fire times of `schedule` after `now`, from its own cron and zone. A disabled schedule
 * has them too: they say when it would fire once enabled.
 */
export function nextFireTimes(schedule: Pick<Schedule, 'cron' | 'timezone'>, now: Date, count: number): string[] {
  try {
    return nextTicks(schedule, now, count).map((t) => t.toISOString());
  } catch {
    // a row written by hand with a cron croner refuses: the schedule is still listed, with no times
    return [];
  }
}

export function toScheduleView(schedule: Schedule, now: Date, count: number, lastRun: LastRun | null): ScheduleView {
  return {
    ...toScheduleResource(schedule),
    next_ticks: nextFireTimes(schedule, now, count),
    last_run: lastRun,
    links: {
      schedule: `/api/schedules/${encodeURIComponent(schedule.id)}`,
      schema: `/api/schemas/${encodeURIComponent(schedule.schemaId)}`,
      executions: `/api/executions?schema=${encodeURIComponent(schedule.schemaId)}&trigger=schedule`,
    },
  };
}

/** The last run of each schedule that has fired, by schedule id: one keyed lookup of the runs (a few ids a request). */
export async function lastRunsOf(storage: Pick<Storage, 'executions'>, schedules: readonly Schedule[]) {
  const fired = schedules.flatMap((s) => (s.lastExecId ? [{ id: s.id, execId: s.lastExecId }] : []));
  const summaries = await storage.executions.summariesOf(fired.map((f) => f.execId));
  return new Map<string, LastRun>(
    fired.map((f) => [f.id, { exec_id: f.execId, status: summaries.get(f.execId)?.status ?? null }]),
  );
}
