/**
 * An instant as a clock in `timeZone` reads it, `YYYY-MM-DD HH:MM[:SS][ zone]`: how schedules show their
 * ticks (the console beside the reader's own time, the CLI beside UTC). Null for a zone this runtime's tz
 * data does not know (it may be older than the app's), so the caller falls back to UTC.
 */
export interface WallClockOptions {
  readonly seconds?: boolean;
  /** What follows the time: the zone's abbreviation, its offset that day (`GMT+1`), or nothing. */
  readonly zoneName?: 'short' | 'shortOffset';
}

export function wallClock(iso: string, timeZone: string, options: WallClockOptions = {}): string | null {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      ...(options.seconds ? { second: '2-digit' } : {}),
      hourCycle: 'h23',
      ...(options.zoneName ? { timeZoneName: options.zoneName } : {}),
    }).formatToParts(new Date(iso));
  } catch {
    return null;
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${part('hour')}:${part('minute')}${options.seconds ? `:${part('second')}` : ''}`;
  const zone = options.zoneName ? ` ${part('timeZoneName')}` : '';
  return `${part('year')}-${part('month')}-${part('day')} ${time}${zone}`;
}
