import { odata } from '@azure/data-tables';
import { z } from 'zod';
import type { Execution, ExecutionStatus, TriggerSource } from '../core/execution.js';
import type { RowKeys } from './table-rows.js';
import { timeRangeFilters } from './time-range-filter.js';

export interface ExecutionQuery {
  readonly status?: ExecutionStatus | undefined;
  readonly schemaId?: string | undefined;
  /** Alert runs on this ARM resource. */
  readonly resourceId?: string | undefined;
  /** Runs for this worker capability (the schema's `worker`). */
  readonly worker?: string | undefined;
  /** Runs started by one of these sources; an empty list matches nothing (a kind no run has yet). */
  readonly triggerSources?: readonly TriggerSource[] | undefined;
  /** Runs requested at or after this time (ms since the epoch). */
  readonly fromMs?: number | undefined;
  /** Runs requested at or before this time (ms since the epoch). */
  readonly toMs?: number | undefined;
  /**
   * Free text looked for in the schema, runbook, alert rule, resource and execution id (`matchesText`).
   * The table cannot search text, so rows are read and tested here, at most `maxScannedRows` a page.
   */
  readonly text?: string | undefined;
  /** Page size, 1-200. */
  readonly limit: number;
  /** With `text`: rows read for one page at most (default 1000); the page may hold fewer than `limit` runs. */
  readonly maxScannedRows?: number | undefined;
  /** Opaque token from the previous page. */
  readonly continuationToken?: string | undefined;
}

export interface ExecutionPage {
  readonly executions: Execution[];
  /** Null when no row is left to read. */
  readonly continuationToken: string | null;
  /** Rows read to fill this page (the table's filters apply first: they are not counted). */
  readonly scannedRows: number;
}

/** A token we did not issue, or one for another table's keys. */
export class InvalidContinuationError extends Error {
  override readonly name = 'InvalidContinuationError';
  constructor() {
    super('not a token from a previous page');
  }
}

/** Where a page stopped: the keys of the last row it read (the next page starts after it). */
const Position = z.object({
  p: z.string().regex(/^\d{8}$/),
  r: z.string().regex(/^\d{13}_[0-9a-f-]{36}$/),
});

/**
 * Our own token rather than the SDK's: a page filled by free text stops in the middle of a table page,
 * and the next one must start right after the last row read, not after the table page.
 */
export function encodePosition(keys: RowKeys): string {
  return Buffer.from(JSON.stringify({ p: keys.partitionKey, r: keys.rowKey })).toString('base64url');
}

export function decodePosition(token: string): RowKeys {
  try {
    const { p, r } = Position.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return { partitionKey: p, rowKey: r };
  } catch {
    throw new InvalidContinuationError();
  }
}

/**
 * The filter that leaves the work to the table: exact fields, and the time range as a key range (days
 * are partitions, newest first; a row key is the inverted time), so a range reads only its own days.
 * A filter may hold at most 15 comparisons: this one holds 13 at most, since a resumed page's start
 * replaces the `to` bound (the page before already read everything newer).
 */
export function tableFilter(query: ExecutionQuery, after: RowKeys | null): string {
  const filters: string[] = [];
  if (query.status) filters.push(odata`status eq ${query.status}`);
  if (query.schemaId) filters.push(odata`schemaId eq ${query.schemaId}`);
  if (query.resourceId) filters.push(odata`resourceId eq ${query.resourceId}`);
  if (query.worker) filters.push(odata`worker eq ${query.worker}`);
  if (query.triggerSources) {
    filters.push(`(${query.triggerSources.map((s) => odata`triggerSource eq ${s}`).join(' or ')})`);
  }
  if (after) {
    const { partitionKey: p, rowKey: r } = after;
    filters.push(odata`PartitionKey ge ${p} and (PartitionKey gt ${p} or RowKey gt ${r})`);
  }
  // a resumed page starts after its last row, which is within `to` already
  filters.push(...timeRangeFilters({ fromMs: query.fromMs, toMs: after ? undefined : query.toMs }));
  return filters.join(' and ');
}

/**
 * Whether a run's request time (as its keys hold it: its id's time) is in the query's range; a resumed
 * page no longer has `to` in its filter.
 */
export function isInRange(query: ExecutionQuery, at: number): boolean {
  return (query.fromMs === undefined || at >= query.fromMs) && (query.toMs === undefined || at <= query.toMs);
}
