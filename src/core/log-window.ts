/**
 * Which part of a log the run page shows. A runbook can write 50 MB; a page that embedded all of it
 * would freeze the tab, so it shows the last window and offers earlier ones. Pure.
 */

/** Bytes of log a run page shows at once: the end of almost any run, and a tab that stays responsive. */
export const LOG_WINDOW_BYTES = 256 * 1024;

/** The bytes `start`-`end` (exclusive) of a log of `size` bytes that end at `before` (default: the end). */
export function logWindow(size: number, before: number = size, windowBytes = LOG_WINDOW_BYTES) {
  const end = Math.min(Math.max(0, before), size);
  return { start: Math.max(0, end - windowBytes), end };
}

/**
 * A part that does not begin the log begins mid-line, maybe mid-character or mid-escape: it is made to
 * begin at its first full line, and its `start` moves with it so the next earlier part ends exactly there.
 * Self-contained on purpose (the console's script embeds its source): a first line longer than 16 KiB
 * is kept cut rather than searched to its end (a log without newlines).
 */
export function startAtLine(data: Uint8Array, start: number): { data: Uint8Array; start: number } {
  if (start === 0) return { data, start };
  const newline = data.subarray(0, 16_384).indexOf(0x0a);
  if (newline < 0) return { data, start };
  return { data: data.subarray(newline + 1), start: start + newline + 1 };
}
