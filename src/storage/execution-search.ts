import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type { Execution } from '../core/execution.js';
import { execIdTimeMs } from '../core/execution.js';
import { matchesText, searchText } from '../core/execution-search.js';
import type { ExecutionPage, ExecutionQuery } from './execution-query.js';
import { decodePosition, encodePosition, isInRange, tableFilter } from './execution-query.js';

/** Rows one page reads at most unless the query says otherwise: one table request's worth. */
export const DEFAULT_MAX_SCANNED_ROWS = 1000;

type Entity = TableEntityResult<Record<string, unknown>>;

/**
 * One page of runs, newest first. The table applies the exact filters and the time range; free text is
 * tested here on each row read, at most `maxScannedRows` of them, so a page of a rare text may come back
 * short, even empty, with a token to read on: each request costs a bounded amount whatever the history.
 */
export async function searchExecutions(
  table: TableClient,
  query: ExecutionQuery,
  fromEntity: (entity: Entity) => Execution,
): Promise<ExecutionPage> {
  if (query.triggerSources?.length === 0) return { executions: [], continuationToken: null, scannedRows: 0 };
  const after = query.continuationToken ? decodePosition(query.continuationToken) : null;
  const text = searchText(query.text);
  // without text the table filters alone: every row it returns is a match, and `limit` of them end the page
  const maxScannedRows = text ? (query.maxScannedRows ?? DEFAULT_MAX_SCANNED_ROWS) : query.limit;
  const filter = tableFilter(query, after);
  const pageSize = Math.min(maxScannedRows, 1000);
  const pages = table
    .listEntities<Record<string, unknown>>({ queryOptions: filter ? { filter } : {} })
    .byPage({ maxPageSize: pageSize });
  const executions: Execution[] = [];
  let scannedRows = 0;
  for await (const page of pages) {
    for (const [i, row] of page.entries()) {
      scannedRows += 1;
      if (isInRange(query, execIdTimeMs(String(row.execId))) && (!text || matchesText(row, text))) {
        executions.push(fromEntity(row));
      }
      if (executions.length >= query.limit || scannedRows >= maxScannedRows) {
        const isLastRow = i === page.length - 1 && !page.continuationToken;
        const next = isLastRow
          ? null
          : encodePosition({ partitionKey: row.partitionKey ?? '', rowKey: row.rowKey ?? '' });
        return { executions, continuationToken: next, scannedRows };
      }
    }
  }
  return { executions, continuationToken: null, scannedRows };
}
