import { Cron } from 'croner';

/**
 * The six-field NCRONTAB schedules of timer functions (`{second} {minute} {hour} {day} {month}
 * {day-of-week}`), in UTC as Azure runs them unless WEBSITE_TIME_ZONE says otherwise, parsed by croner.
 * A day and a day of week both given must both hold, as in NCRONTAB (cron's usual rule is either).
 */
export interface Schedule {
  readonly source: string;
  /** The first occurrence strictly after `after`, to the second. */
  next(after: Date): Date;
}

export function parseSchedule(source: string): Schedule {
  let cron: Cron;
  try {
    // `5/20` (a start and a step, no range) is NCRONTAB's "from 5 on, every 20"
    cron = new Cron(source, { timezone: 'UTC', mode: '6-part', domAndDow: true, sloppyRanges: true, paused: true });
  } catch (err) {
    throw new Error(`schedule "${source}": ${(err as Error).message}`);
  }
  return {
    source,
    next(after) {
      const next = cron.nextRun(after);
      if (!next) throw new Error(`schedule "${source}" has no occurrence to come`);
      return next;
    },
  };
}
