import { createHash } from 'node:crypto';
import type { MissedPolicy, MissedTicks, Schedule } from './schedule.js';
import type { CronTiming, Ticks } from './schedule-cron.js';
import { ticksOf } from './schedule-cron.js';

/**
 * Which ticks of a schedule are due when the scheduler looks, and which run each fires. Pure: the clock
 * comes in as `now`.
 */

/**
 * How old a tick may be and still count as on time: the Scheduler timer runs every 15 s, so two missed
 * invocations plus a slow one. An older tick was missed (the app was down or stopped) and follows the
 * schedule's `missed` policy instead.
 */
export const ON_TIME_TOLERANCE_MS = 60_000;

/**
 * Missed ticks counted at most (a per-second cron through a week-long outage would otherwise be counted
 * one by one); `missedTicks.count` stops there.
 */
export const MAX_COUNTED_MISSED_TICKS = 1000;

/** Ticks fired in one look at most: cron's finest step is a second, so the on-time window never holds more. */
const MAX_ON_TIME_TICKS = ON_TIME_TOLERANCE_MS / 1000;

/** One tick to fire now. */
export interface DueTick {
  readonly tick: Date;
  /** Fired late for ticks missed during an outage (`missed: run-once`), not at its time. */
  readonly catchUp: boolean;
}

export interface TickPlan {
  /** Ticks to fire now, oldest first: the on-time ones, else at most one catch-up. Never a flood. */
  readonly fire: readonly DueTick[];
  /** Ticks since the last look that passed without firing on time; null when none did. */
  readonly missed: MissedTicks | null;
  /** The latest tick due: the schedule's new `lastTick`. Null when no tick is due. */
  readonly through: Date | null;
  /** The first tick after `now`, null when the cron has none left. */
  readonly next: Date | null;
}

/**
 * Whether a look at `now` finds nothing due without reading the cron: the next tick the last look (or the
 * schedule's creation, or a change of its timing) computed is still to come. Most looks end here, which
 * keeps an invocation over a thousand schedules cheap.
 */
export function isBeforeNextTick(schedule: Pick<Schedule, 'nextTick'>, now: Date): boolean {
  return schedule.nextTick !== null && Date.parse(schedule.nextTick) > now.getTime();
}

/** Ticks after this instant count: the last one dealt with, or when the schedule (re)started counting. */
export function ticksCountFrom(schedule: Pick<Schedule, 'lastTick' | 'activeSince'>): Date {
  const since = Date.parse(schedule.activeSince);
  const last = schedule.lastTick === null ? Number.NEGATIVE_INFINITY : Date.parse(schedule.lastTick);
  return new Date(Math.max(since, last));
}

/**
 * The ticks in (`after`, `now`] and what to do with them: a tick at most `toleranceMs` old is on time and
 * fires; older ones were missed, and fire nothing (`skip`) or one catch-up run for the latest of them
 * (`run-once`), and only when no tick is on time (the on-time run is the catch-up then).
 */
export function dueTicks(
  schedule: CronTiming & { readonly missed: MissedPolicy },
  after: Date,
  now: Date,
  toleranceMs: number = ON_TIME_TOLERANCE_MS,
): TickPlan {
  const ticks = ticksOf(schedule);
  const next = ticks.first(now);
  const latest = ticks.latest(now);
  if (!latest || latest.getTime() <= after.getTime()) return { fire: [], missed: null, through: null, next };
  const onTimeFrom = new Date(Math.max(after.getTime(), now.getTime() - toleranceMs));
  const onTime = ticks.between(onTimeFrom, now, MAX_ON_TIME_TICKS);
  const missed = missedBetween(ticks, after, onTimeFrom);
  const fire: DueTick[] = onTime.map((tick) => ({ tick, catchUp: false }));
  if (fire.length === 0 && missed && schedule.missed === 'run-once') {
    fire.push({ tick: new Date(missed.last), catchUp: true });
  }
  return { fire, missed, through: latest, next };
}

/** The ticks in (`after`, `until`], counted up to MAX_COUNTED_MISSED_TICKS; null when there are none. */
function missedBetween(ticks: Ticks, after: Date, until: Date): MissedTicks | null {
  if (until.getTime() <= after.getTime()) return null;
  const missed = ticks.between(after, until, MAX_COUNTED_MISSED_TICKS);
  const first = missed[0];
  const last = ticks.latest(until);
  if (!first || !last) return null;
  return { count: missed.length, first: first.toISOString(), last: last.toISOString() };
}

/**
 * The execution id of a schedule's tick: a UUIDv7 whose time is the tick and whose other bits are a hash
 * of (schedule, tick). Every instance, retry or clock computes the same id for the same tick, and
 * Table Executions refuses a second row with one id (an insert, never an upsert), so a tick starts one
 * run however many invocations fire it.
 */
export function tickExecId(scheduleId: string, tick: Date): string {
  const hash = createHash('sha256').update(`schedule\n${scheduleId}\n${tick.toISOString()}`).digest();
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(tick.getTime(), 0, 6);
  hash.copy(bytes, 6, 0, 10);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f); // version 7
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f); // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What the scheduler did with a look's ticks. */
export interface TickOutcome {
  readonly plan: TickPlan;
  /** The run of the latest fired tick, when one fired. */
  readonly execId: string | null;
  /** Why a due tick could not start a run; null when it could or none was due. */
  readonly error: string | null;
}

/**
 * The schedule after a look: its state advanced to the look's ticks. Null (nothing to write) when another
 * invocation already advanced it as far: ticks only move forward, so the loser of a race writes nothing.
 */
export function afterTicks(current: Schedule, outcome: TickOutcome): Schedule | null {
  const { plan } = outcome;
  if (!plan.through) return null;
  if (current.lastTick !== null && Date.parse(current.lastTick) >= plan.through.getTime()) return null;
  return {
    ...current,
    lastTick: plan.through.toISOString(),
    lastExecId: outcome.execId ?? current.lastExecId,
    nextTick: plan.next?.toISOString() ?? null,
    missedTicks: plan.missed ?? current.missedTicks,
    lastError: outcome.error,
  };
}
