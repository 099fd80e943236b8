import { z } from 'zod';
import { ExecId, ExecutionStatus } from './execution.js';

/** Most bytes of log a result carries: enough to act on in a page, never the whole log. */
export const RESULT_LOG_TAIL_BYTES = 4096;

/**
 * What a worker (or housekeeping, or a cancel) puts on `cloudo-results` when a run reaches a terminal
 * status. No secret and no log body: a tail of at most 4 KB and a link. The results function reads the
 * rest from the execution row.
 */
export const ResultMessage = z.object({
  v: z.literal(1),
  execId: ExecId,
  status: ExecutionStatus,
  finishedAt: z.iso.datetime({ offset: true }),
  logTail: z.string().max(RESULT_LOG_TAIL_BYTES),
  /**
   * Which round of notifying this is (absent: the first). A round that must be retried (Slack or Opsgenie
   * down) is put back on the queue as the next round, later (resultRetryDelayMs).
   */
  round: z.number().int().min(1).max(1000).optional(),
});
export type ResultMessage = z.infer<typeof ResultMessage>;

/** The last lines of a log that fit in `maxBytes` (whole characters, whole lines where possible). */
export function logTail(log: Buffer | null, maxBytes = RESULT_LOG_TAIL_BYTES): string {
  if (!log || log.length === 0) return '';
  let tail = log.subarray(Math.max(0, log.length - maxBytes)).toString('utf8');
  // a cut in the middle of a character decodes as U+FFFD; a cut in the middle of a line is dropped
  if (log.length > maxBytes) tail = tail.slice(tail.indexOf('\n') + 1 || 0);
  while (Buffer.byteLength(tail) > maxBytes) tail = tail.slice(1);
  return tail;
}

/**
 * Rounds of notifying one result before failures are recorded instead of retried: with the delays below,
 * about two and a half hours, longer than a notifier's outage should last and short of paging stale news.
 */
export const RESULT_MAX_ROUNDS = 24;

/** Wait before round `round + 1`: 2 s doubling, at most 10 minutes. */
export function resultRetryDelayMs(round: number): number {
  return Math.min(600_000, 2_000 * 2 ** (round - 1));
}
