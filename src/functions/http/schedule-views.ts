import type { Caller } from '../../core/access.js';
import { hasRole } from '../../core/access.js';
import { formToken } from '../../core/form-token.js';
import type { Schedule } from '../../core/schedule.js';
import { isScheduleEnabled } from '../../core/schedule.js';
import type { Storage } from '../../storage/index.js';
import type { RunbookScheduleView, ScheduleView } from '../../ui/index.js';
import { nextFireTimes } from './schedule-resources.js';

/** Fire times the Schedules page lists for each schedule. */
export const NEXT_FIRES_SHOWN = 3;

/** The next `count` ticks of an enabled schedule (ISO); none while disabled. */
function upcoming(schedule: Schedule, now: Date, count: number): string[] {
  return isScheduleEnabled(schedule) ? nextFireTimes(schedule, now, count) : [];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byId = (a: Schedule, b: Schedule) => compare(a.id, b.id);
/** Grouped by runbook, as a reader looks for "what runs backup", then by id. */
const bySchemaThenId = (a: Schedule, b: Schedule) => compare(a.schemaId, b.schemaId) || byId(a, b);

/**
 * Every schedule with its next fire times, its last tick's run and, for an admin, the token of its switch.
 * Costs one read of Table Schedules and one keyed lookup of the last runs (14 to a request), never a
 * request per schedule.
 */
export async function readScheduleViews(
  storage: Storage,
  caller: Caller,
  formKey: string,
  now: Date,
): Promise<ScheduleView[]> {
  const schedules = (await storage.schedules.list()).sort(bySchemaThenId);
  // no ids, no request: schedules that never fired cost only the one read
  const runs = await storage.executions.summariesOf(schedules.flatMap((s) => (s.lastExecId ? [s.lastExecId] : [])));
  const isAdmin = hasRole(caller, 'admin');
  return schedules.map((schedule) => {
    const run = schedule.lastExecId ? runs.get(schedule.lastExecId) : undefined;
    const purpose = isScheduleEnabled(schedule) ? 'schedule-disable-form' : 'schedule-enable-form';
    return {
      schedule,
      nextTicks: upcoming(schedule, now, NEXT_FIRES_SHOWN),
      lastRun: run ? { status: run.status } : null,
      switchToken: isAdmin ? formToken(formKey, caller.id, schedule.id, purpose) : null,
    };
  });
}

/** The schedules of one schema with their next fire time, for its runbook page (one read of Table Schedules). */
export async function readSchemaSchedules(
  storage: Storage,
  schemaId: string,
  now: Date,
): Promise<RunbookScheduleView[]> {
  const schedules = (await storage.schedules.list()).filter((s) => s.schemaId === schemaId).sort(byId);
  return schedules.map((schedule) => ({ schedule, nextTick: upcoming(schedule, now, 1)[0] ?? null }));
}
