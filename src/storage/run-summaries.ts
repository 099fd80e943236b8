import type { TableClient } from '@azure/data-tables';
import { RUN_SUMMARY_FIELDS, RunSummary } from '../core/run-stats.js';
import { tableFilter } from './execution-query.js';
import { readStored } from './stored-value.js';

export interface RunSummaryScan {
  /** Runs requested at or after this time (ms since the epoch). */
  readonly fromMs: number;
  /** Runs requested at or before this time. */
  readonly toMs: number;
  readonly schemaId?: string | undefined;
  /** Rows read at most; the newest come first, so a capped scan misses the oldest part of the range. */
  readonly maxRows: number;
}

export interface RunSummaries {
  readonly runs: RunSummary[];
  /** More runs were in the range than `maxRows`. */
  readonly truncated: boolean;
}

/**
 * The runs of a time range, a few fields each: the range's day partitions only, newest first, up to 1000
 * rows a request. What the statistics cost is what this reads: ceil(runs in range / 1000) requests.
 */
export async function readRunSummaries(table: TableClient, scan: RunSummaryScan): Promise<RunSummaries> {
  const filter = tableFilter({ fromMs: scan.fromMs, toMs: scan.toMs, schemaId: scan.schemaId, limit: 0 }, null);
  const pages = table
    .listEntities<Record<string, unknown>>({ queryOptions: { filter, select: [...RUN_SUMMARY_FIELDS] } })
    .byPage({ maxPageSize: Math.min(scan.maxRows, 1000) });
  const runs: RunSummary[] = [];
  for await (const page of pages) {
    for (const row of page) {
      if (runs.length >= scan.maxRows) return { runs, truncated: true };
      runs.push(readStored(RunSummary, row, `execution row ${String(row.rowKey)}`));
    }
  }
  return { runs, truncated: false };
}
