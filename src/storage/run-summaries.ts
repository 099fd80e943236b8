import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { executionKeys } from '../core/execution.js';
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

/** Row keys a table filter may name in one request: Azure allows 15 comparisons, one goes to the partition. */
const ROWS_PER_LOOKUP = 14;

/**
 * The runs of known ids, a few fields each, keyed by id; an id whose row is gone (retention) is absent.
 * Rows are looked up by key a partition (a UTC day) at a time, 14 to a request and the requests in
 * parallel: for a list of schedules' last runs, mostly of today and yesterday, that is a request per 14
 * schedules instead of one each.
 */
export async function readRunSummariesOf(
  table: TableClient,
  execIds: readonly string[],
): Promise<Map<string, RunSummary>> {
  const byPartition = new Map<string, Map<string, string>>();
  for (const execId of new Set(execIds)) {
    const { partitionKey, rowKey } = executionKeys(execId);
    const rows = byPartition.get(partitionKey) ?? new Map<string, string>();
    rows.set(rowKey, execId);
    byPartition.set(partitionKey, rows);
  }
  const lookups: { partitionKey: string; rows: Map<string, string> }[] = [];
  for (const [partitionKey, rows] of byPartition) {
    const keys = [...rows];
    for (let i = 0; i < keys.length; i += ROWS_PER_LOOKUP) {
      lookups.push({ partitionKey, rows: new Map(keys.slice(i, i + ROWS_PER_LOOKUP)) });
    }
  }
  const found = new Map<string, RunSummary>();
  await Promise.all(
    lookups.map(async ({ partitionKey, rows }) => {
      const keys = [...rows.keys()].map((rowKey) => odata`RowKey eq ${rowKey}`).join(' or ');
      const filter = `${odata`PartitionKey eq ${partitionKey}`} and (${keys})`;
      const select = [...RUN_SUMMARY_FIELDS, 'RowKey'];
      for await (const row of table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })) {
        const execId = rows.get(String(row.rowKey));
        if (execId) found.set(execId, readStored(RunSummary, row, `execution ${execId}`));
      }
    }),
  );
  return found;
}
