import { Cron } from 'croner';

/**
 * Cron expressions of schedules, read by croner: 5 fields (`minute hour day month weekday`) or 6 with
 * seconds first, names (`MON`, `JAN`), ranges, lists and steps (`*\/15`, `1-5/2`), and the macros
 * `@yearly` `@annually` `@monthly` `@weekly` `@daily` `@midnight` `@hourly`. A day and a weekday both given
 * match either, as in Vixie cron. Times are wall-clock times of the schedule's IANA zone; croner is
 * DST-aware: a fixed time inside the spring-forward gap runs once, at the first valid time after it, and a
 * fixed time that occurs twice on the fall-back day runs once, at its first occurrence.
 */

/** Longest cron expression accepted: cron lines are short, and this one is stored and shown. */
export const MAX_CRON_LENGTH = 200;

/** Why `expression` is not a cron expression this accepts, or null when it is. */
export function cronProblem(expression: string): string | null {
  if (expression.length > MAX_CRON_LENGTH) return `must be at most ${MAX_CRON_LENGTH} characters`;
  try {
    compile(expression, 'UTC');
    return null;
  } catch (err) {
    return `"${expression}" is not a valid cron expression: ${cronMessage(err)}`;
  }
}

/** Why `zone` is not an IANA time zone name, or null when it is (`UTC`, `Europe/Rome`...). */
export function timezoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    // Intl takes offsets like "+01:00" too; a schedule's zone is a name, so its DST rules come with it
    return /^[A-Za-z]/.test(zone) ? null : `"${zone}" is not an IANA time zone name (e.g. UTC, Europe/Rome)`;
  } catch {
    return `"${zone}" is not an IANA time zone name (e.g. UTC, Europe/Rome)`;
  }
}

/** What a schedule's ticks depend on: its expression and zone. */
export interface CronTiming {
  readonly cron: string;
  readonly timezone: string;
}

/** A schedule's ticks, its cron parsed once (a look at one schedule asks several questions). */
export interface Ticks {
  /** The first `count` ticks strictly after `after`, oldest first (fewer when the expression runs out). */
  next(after: Date, count: number): Date[];
  /** The first tick strictly after `after`, or null when there is none to come. */
  first(after: Date): Date | null;
  /** The latest tick at or before `at`, or null when there was none. */
  latest(at: Date): Date | null;
  /** Ticks in (after, until], oldest first, at most `limit` of them. */
  between(after: Date, until: Date, limit: number): Date[];
}

export function ticksOf(timing: CronTiming): Ticks {
  const cron = compile(timing.cron, timing.timezone);
  return {
    next: (after, count) => (count <= 0 ? [] : cron.nextRuns(count, after)),
    first: (after) => cron.nextRun(after),
    // previousRuns is exclusive of its reference; a tick exactly at `at` is due
    latest: (at) => cron.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null,
    between(after, until, limit) {
      const ticks: Date[] = [];
      for (let t = cron.nextRun(after); t && t.getTime() <= until.getTime() && ticks.length < limit; ) {
        ticks.push(t);
        t = cron.nextRun(t);
      }
      return ticks;
    },
  };
}

/** The first `count` ticks strictly after `after`, oldest first (fewer when the expression runs out). */
export function nextTicks(timing: CronTiming, after: Date, count: number): Date[] {
  return ticksOf(timing).next(after, count);
}

/** The first tick strictly after `after`, or null when there is none to come. */
export function nextTick(timing: CronTiming, after: Date): Date | null {
  return ticksOf(timing).first(after);
}

/** The latest tick at or before `at`, or null when there was none. */
export function previousTick(timing: CronTiming, at: Date): Date | null {
  return ticksOf(timing).latest(at);
}

function compile(expression: string, timezone: string): Cron {
  // paused: a Cron here only computes times, it must never start a timer of its own
  return new Cron(expression.trim(), { timezone, mode: '5-or-6-parts', paused: true });
}

/** croner's message without its class prefix ("CronPattern: ..."). */
function cronMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^Cron\w*:\s*/, '');
}
