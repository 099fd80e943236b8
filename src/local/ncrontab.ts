/**
 * The six-field NCRONTAB schedules of timer functions (`{second} {minute} {hour} {day} {month}
 * {day-of-week}`), in UTC as Azure runs them unless WEBSITE_TIME_ZONE says otherwise. Only numbers, `*`,
 * ranges `a-b`, steps `/n` and lists `a,b` are understood: names (`Mon`, `Jan`) and `%` expressions stop
 * the local host at start rather than run a timer on a schedule it misread. No package parses this for us
 * (the one dependency would serve one line of Housekeeping).
 */
export interface Schedule {
  readonly source: string;
  /** The first occurrence strictly after `after`, to the second. */
  next(after: Date): Date;
}

const FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day-of-week', min: 0, max: 6 },
] as const;

/** Search at most this far ahead: a schedule with no occurrence in a year (31 Feb) never fires. */
const HORIZON_MS = 366 * 24 * 3600 * 1000;

export function parseSchedule(source: string): Schedule {
  const parts = source.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) {
    throw new Error(`schedule "${source}": expected 6 fields (second minute hour day month day-of-week)`);
  }
  const [second, minute, hour, day, month, weekday] = FIELDS.map((field, i) =>
    parseField(parts[i] ?? '', field, source),
  );
  const matches = (set: Set<number> | undefined, value: number) => set?.has(value) ?? false;
  return {
    source,
    next(after) {
      const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
      const limit = after.getTime() + HORIZON_MS;
      // from the largest unit down: a field that does not match skips to the start of its next value
      while (t.getTime() <= limit) {
        if (!matches(month, t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!matches(day, t.getUTCDate()) || !matches(weekday, t.getUTCDay())) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!matches(hour, t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
        } else if (!matches(minute, t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
        } else if (!matches(second, t.getUTCSeconds())) {
          t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
        } else {
          return t;
        }
      }
      throw new Error(`schedule "${source}" has no occurrence within a year`);
    },
  };
}

function parseField(text: string, field: (typeof FIELDS)[number], source: string): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw new Error(`schedule "${source}": ${field.name} "${item}" is not a number, *, a-b, */n or a list`);
    const from = m[1] === '*' ? field.min : Number(m[2]);
    // `5/10` (no range) means from 5 to the end, as in NCRONTAB
    const to = m[1] === '*' || (m[3] === undefined && m[4] !== undefined) ? field.max : Number(m[3] ?? m[2]);
    const step = Number(m[4] ?? 1);
    if (from < field.min || to > field.max || from > to || step < 1) {
      throw new Error(`schedule "${source}": ${field.name} "${item}" is outside ${field.min}-${field.max}`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}
