import { z } from 'zod';

// a date alone (midnight UTC) or a date and time with Z or an offset: what Date.parse reads the same everywhere
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A query parameter holding an ISO time (`2026-05-01T12:00:00Z`, `2026-05-01`), as ms since the epoch. */
export const IsoTimeParam = z
  .string()
  .max(40)
  .transform((text, ctx) => {
    const ms = Date.parse(text);
    if (!ISO_TIME.test(text) || Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO time, e.g. 2026-05-01T12:00:00Z' });
      return z.NEVER;
    }
    return ms;
  });

/** Refuses a range whose start is after its end, naming `from`. */
export function checkRangeOrder(range: { from?: number | undefined; to?: number | undefined }, ctx: z.RefinementCtx) {
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  }
}
