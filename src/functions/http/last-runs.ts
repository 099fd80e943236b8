import type { RunSummary } from '../../core/run-stats.js';
import type { Storage } from '../../storage/index.js';

/**
 * Rows the catalogue reads at most to find each schema's last run: five table requests of 1000 rows,
 * whatever the number of schemas (see README "Runbooks in the console" for the measured figures).
 */
export const LAST_RUN_SCAN_ROWS = 5000;
/** How far back the catalogue looks for a last run; a schema idle for longer shows none. */
export const LAST_RUN_WINDOW_MS = 30 * 86_400_000;

export interface LastRuns {
  /** The newest run of each schema found by the scan. */
  readonly bySchema: ReadonlyMap<string, RunSummary>;
  /** Request time the scan reached back to (ms): a schema missing from `bySchema` had no run since then. */
  readonly sinceMs: number;
}

/**
 * Each schema's last run from one scan of the newest runs. A query per schema would cost a request per
 * schema at best; and the table can only find a schema's newest row by reading every newer one, so a
 * schema that has not run for long reads much of the table alone. One newest-first scan of the last
 * LAST_RUN_WINDOW_MS (only those days' partitions, six fields a row, at most LAST_RUN_SCAN_ROWS rows)
 * costs at most five requests for any number of schemas; its one gap is a schema whose last run is older
 * than what the scan reached, and the page says how far back that is.
 */
export async function readLastRuns(storage: Storage, nowMs: number): Promise<LastRuns> {
  const fromMs = nowMs - LAST_RUN_WINDOW_MS;
  const scan = await storage.executions.listSummaries({ fromMs, toMs: nowMs, maxRows: LAST_RUN_SCAN_ROWS });
  const bySchema = new Map<string, RunSummary>();
  // rows come newest first (day partitions, then inverted times): the first row of a schema is its last run
  for (const run of scan.runs)
    if (run.schemaId !== null && !bySchema.has(run.schemaId)) bySchema.set(run.schemaId, run);
  const oldest = scan.runs.at(-1);
  const sinceMs = scan.truncated && oldest ? Date.parse(oldest.requestedAt) : fromMs;
  return { bySchema, sinceMs };
}
