import { z } from 'zod';
import { TABLE_KEY_PATTERN } from './resource-names.js';
import type { RunbookParameter } from './run-parameters.js';
import { ParamValue, resolveParams } from './run-parameters.js';
import { cronProblem, nextTick, timezoneProblem } from './schedule-cron.js';

/**
 * Schedules: a schema's runs started by the clock. Declared in the schemas file (`schedules` of an entry,
 * reviewed in Git, deployed with the schemas) or through the admin API, and stored in Table `Schedules`
 * with what the scheduler needs to fire each tick once: the last tick it fired and the missed ones.
 */

const IsoTime = z.iso.datetime({ offset: true });

/** A schedule id: unique across the whole file (and the table), with the same rules as schema ids. */
export const ScheduleId = z.string().regex(TABLE_KEY_PATTERN, 'must be 1-128 letters, digits, ".", "_", ":" or "-"');

/** What a schedule does with ticks that passed while nothing could fire them (an outage, a stopped app). */
export const MissedPolicy = z.enum(['skip', 'run-once']);
export type MissedPolicy = z.infer<typeof MissedPolicy>;

/** A cron expression, checked by croner (5 or 6 fields, names, steps, `@daily`-style macros). */
export const CronExpression = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** An IANA time zone name, `UTC` by default. */
export const TimeZone = z.string().superRefine((value, ctx) => {
  const problem = timezoneProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** One schedule as a schemas file (or `PUT /api/schedules/{id}`) declares it, snake_case as the file is. */
export const ScheduleEntry = z
  .object({
    /** Unique across the whole file: the admin API and CLI name the schedule by it. */
    id: ScheduleId,
    /** When it fires: 5 fields, or 6 with seconds first; names, ranges with steps, `@daily`-style macros. */
    cron: CronExpression,
    /** IANA zone the cron's wall-clock times are read in (DST-aware). Default `UTC`. */
    timezone: TimeZone.default('UTC'),
    /** Values of the schema's typed parameters each run gets, checked against them on import. */
    params: z.record(z.string(), ParamValue).default({}),
    /** Whether it fires. Default true. An admin's enable/disable overrides it until the admin undoes it. */
    enabled: z.boolean().default(true),
    /** Ticks missed during an outage: `skip` (default) fires none, `run-once` fires one catch-up run. */
    missed: MissedPolicy.default('skip'),
    description: z.string().max(500).default(''),
  })
  .strict();
export type ScheduleEntry = z.output<typeof ScheduleEntry>;

/** Where a schedule was declared: an import manages `file` ones, never `api` ones. */
export const ScheduleOrigin = z.enum(['file', 'api']);
export type ScheduleOrigin = z.infer<typeof ScheduleOrigin>;

/**
 * An admin's enable or disable. It outlives re-imports of the file: a schedule disabled during an incident
 * must not come back on at the next deployment or app restart. Cleared only by the admin API.
 */
export const EnabledOverride = z.object({
  enabled: z.boolean(),
  /** Who set it (`user:alice@contoso.com`, `cli:...`). */
  by: z.string().max(300),
  at: IsoTime,
});
export type EnabledOverride = z.infer<typeof EnabledOverride>;

/** Ticks of the last outage that did not fire on time (a `run-once` catch-up fires the last of them). */
export const MissedTicks = z.object({
  /** How many, from 1; counting stops at MAX_COUNTED_MISSED_TICKS. */
  count: z.number().int().positive(),
  first: IsoTime,
  last: IsoTime,
});
export type MissedTicks = z.infer<typeof MissedTicks>;

/** A schedule as Table `Schedules` holds it: its declaration, where it came from, and the scheduler's state. */
export const Schedule = z.object({
  id: ScheduleId,
  /** The schema whose runbook it runs. */
  schemaId: z.string(),
  cron: z.string(),
  timezone: z.string().default('UTC'),
  params: z.record(z.string(), ParamValue).default({}),
  /** As declared (file or API); what counts is `isScheduleEnabled`, which lets an admin override win. */
  enabled: z.boolean().default(true),
  /** The missed-ticks policy (see ScheduleEntry). */
  missed: MissedPolicy.default('skip'),
  description: z.string().default(''),
  origin: ScheduleOrigin,
  enabledOverride: EnabledOverride.nullable().default(null),
  /**
   * Ticks after this instant count; earlier ones never fire. Set when the schedule is created, when its
   * cron or zone changes and when it is enabled again: a new or re-enabled schedule does not fire for the
   * past, and ticks of a disabled schedule are not "missed".
   */
  activeSince: IsoTime,
  /** The latest tick the scheduler has dealt with (fired, caught up or skipped); null before the first. */
  lastTick: IsoTime.nullable().default(null),
  /** The run of the latest fired tick. */
  lastExecId: z.string().nullable().default(null),
  /** The next tick to come when the scheduler last looked (for lists); null when the cron has none left. */
  nextTick: IsoTime.nullable().default(null),
  /** The ticks of the last outage that did not fire on time; null when none was ever missed. */
  missedTicks: MissedTicks.nullable().default(null),
  /** Why the last due tick could not start a run (its schema gone, its params no longer valid); null when it could. */
  lastError: z.string().max(1000).nullable().default(null),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type Schedule = z.infer<typeof Schedule>;

/** A schedule of the file with the schema it belongs to. */
export interface ScheduleDeclaration {
  readonly schemaId: string;
  readonly entry: ScheduleEntry;
}

/** Whether the schedule fires: an admin's override wins over what the file or API declared. */
export function isScheduleEnabled(schedule: Pick<Schedule, 'enabled' | 'enabledOverride'>): boolean {
  return schedule.enabledOverride?.enabled ?? schedule.enabled;
}

/** The problems of a schedule's params against its schema's parameters, each `params.<name>: ...`. */
export function scheduleParamsProblems(
  params: Readonly<Record<string, ParamValue>>,
  parameters: readonly RunbookParameter[],
): string[] {
  const resolved = resolveParams(parameters, params);
  return resolved.ok ? [] : resolved.problems;
}

/** A new stored schedule: it fires from `now` on, never for the past. */
export function newSchedule(declaration: ScheduleDeclaration, origin: ScheduleOrigin, now: Date): Schedule {
  const { entry } = declaration;
  return Schedule.parse({
    ...entry,
    schemaId: declaration.schemaId,
    origin,
    activeSince: now.toISOString(),
    nextTick: nextTick(entry, now)?.toISOString() ?? null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  });
}

/**
 * `current` declared anew (a re-import, an API replace): the declaration's fields change, the admin's
 * override and the scheduler's state stay. A new cron or zone starts counting ticks from `now`, so a change
 * of timing never turns past ticks into missed ones.
 */
export function redeclareSchedule(
  current: Schedule,
  declaration: ScheduleDeclaration,
  origin: ScheduleOrigin,
  now: Date,
): Schedule {
  const { entry } = declaration;
  const retimed = entry.cron !== current.cron || entry.timezone !== current.timezone;
  const declared = Schedule.parse({ ...current, ...entry, schemaId: declaration.schemaId, origin });
  // a schedule the file turns back on fires from now on, as one an admin enables does
  const restarts = retimed || (isScheduleEnabled(declared) && !isScheduleEnabled(current));
  const next = restarts
    ? { ...declared, activeSince: now.toISOString(), nextTick: nextTick(entry, now)?.toISOString() ?? null }
    : declared;
  return isSameDeclaration(current, next) ? current : { ...next, updatedAt: now.toISOString() };
}

/** `current` enabled or disabled by an admin; enabling starts counting ticks from `now` (nothing to catch up). */
export function overrideEnabled(current: Schedule, enabled: boolean, by: string, now: Date): Schedule {
  const wasEnabled = isScheduleEnabled(current);
  return {
    ...current,
    enabledOverride: { enabled, by, at: now.toISOString() },
    ...(enabled && !wasEnabled ? { activeSince: now.toISOString() } : {}),
    updatedAt: now.toISOString(),
  };
}

/**
 * `current` back to what its file or API declared: the admin's override goes. Null when there was none
 * (nothing to write); a schedule this turns on counts ticks from `now`.
 */
export function clearEnabledOverride(current: Schedule, now: Date): Schedule | null {
  if (!current.enabledOverride) return null;
  const cleared = { ...current, enabledOverride: null, updatedAt: now.toISOString() };
  return isScheduleEnabled(cleared) && !isScheduleEnabled(current)
    ? { ...cleared, activeSince: now.toISOString() }
    : cleared;
}

/** The fields a declaration sets: the file or API said the same thing again when these are equal. */
const DECLARED = ['schemaId', 'cron', 'timezone', 'enabled', 'missed', 'description', 'origin'] as const;

export function isSameDeclaration(a: Schedule, b: Schedule): boolean {
  return DECLARED.every((k) => a[k] === b[k]) && sameParams(a.params, b.params);
}

function sameParams(a: Readonly<Record<string, ParamValue>>, b: Readonly<Record<string, ParamValue>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** The entry a stored schedule stands for (what `GET /api/schedules/{id}` can hand back for a `PUT`). */
export function toScheduleEntry(schedule: Schedule): ScheduleEntry {
  const { id, cron, timezone, params, enabled, missed, description } = schedule;
  return { id, cron, timezone, params, enabled, missed, description };
}

/** A schedule as the public API shows it: the file's names (snake_case), and whether it fires now. */
export interface ScheduleResource {
  readonly id: string;
  readonly schema_id: string;
  readonly cron: string;
  readonly timezone: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly enabled: boolean;
  /** `enabled` as declared, before an admin's override. */
  readonly declared_enabled: boolean;
  readonly enabled_override: EnabledOverride | null;
  readonly missed: MissedPolicy;
  readonly description: string;
  readonly origin: ScheduleOrigin;
  readonly active_since: string;
  readonly last_tick: string | null;
  readonly last_exec_id: string | null;
  readonly next_tick: string | null;
  readonly missed_ticks: MissedTicks | null;
  readonly last_error: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export function toScheduleResource(schedule: Schedule): ScheduleResource {
  return {
    id: schedule.id,
    schema_id: schedule.schemaId,
    cron: schedule.cron,
    timezone: schedule.timezone,
    params: schedule.params,
    enabled: isScheduleEnabled(schedule),
    declared_enabled: schedule.enabled,
    enabled_override: schedule.enabledOverride,
    missed: schedule.missed,
    description: schedule.description,
    origin: schedule.origin,
    active_since: schedule.activeSince,
    last_tick: schedule.lastTick,
    last_exec_id: schedule.lastExecId,
    next_tick: schedule.nextTick,
    missed_ticks: schedule.missedTicks,
    last_error: schedule.lastError,
    created_at: schedule.createdAt,
    updated_at: schedule.updatedAt,
  };
}
