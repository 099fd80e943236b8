import { randomBytes } from 'node:crypto';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import type { AuditAction } from '../core/audit.js';
import { AuditEntry, fitAuditEntry } from '../core/audit.js';
import { newestFirstKeys } from '../core/execution.js';
import { queryPage } from './paging.js';
import { readStored } from './stored-value.js';
import { deleteRows, firstRows } from './table-rows.js';
import { timeRangeFilters } from './time-range-filter.js';

/** As for executions: a plain scan lists the newest entries first. */
const keysFor = (at: string) => newestFirstKeys(Date.parse(at), randomBytes(4).toString('hex'));

function fromTableEntity(entity: TableEntityResult<Record<string, unknown>>): AuditEntry {
  return readStored(
    AuditEntry,
    {
      at: entity.at,
      action: entity.action,
      actorKind: entity.actorKind,
      actorId: entity.actorId,
      from: entity.from,
      target: entity.target,
      details: JSON.parse(String(entity.details ?? '{}')),
    },
    `audit entry ${String(entity.rowKey)}`,
  );
}

export interface AuditQuery {
  readonly action?: AuditAction | undefined;
  readonly actorId?: string | undefined;
  /** Exact target: an execution id, a schema id, a token id. */
  readonly target?: string | undefined;
  /** Entries recorded at or after this time (ms since the epoch): only those days' partitions are read. */
  readonly fromMs?: number | undefined;
  /** Entries recorded at or before this time. */
  readonly toMs?: number | undefined;
  readonly limit: number;
  readonly continuationToken?: string | undefined;
}

/** Table `AuditLog`: append-only. */
export class AuditLog {
  constructor(private readonly table: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  async record(entry: AuditEntry): Promise<void> {
    const { details, ...rest } = AuditEntry.parse(fitAuditEntry(entry));
    await this.table.createEntity({ ...keysFor(entry.at), ...rest, details: JSON.stringify(details) });
  }

  /**
   * Deletes at most `limit` entries recorded on a UTC day before the day of `beforeMs`; returns how many.
   * Keyed like Executions, the old entries are one key range: one request when there are none.
   */
  async purgeBefore(beforeMs: number, limit: number): Promise<number> {
    const day = newestFirstKeys(beforeMs, '').partitionKey;
    const rows = await firstRows(this.table, odata`PartitionKey gt ${day}`, limit, ['PartitionKey', 'RowKey']);
    await deleteRows(
      this.table,
      rows.map((r) => ({ partitionKey: r.partitionKey ?? '', rowKey: r.rowKey ?? '' })),
    );
    return rows.length;
  }

  async list(query: AuditQuery): Promise<{ entries: AuditEntry[]; continuationToken: string | null }> {
    const filters: string[] = [];
    if (query.action) filters.push(odata`action eq ${query.action}`);
    if (query.actorId) filters.push(odata`actorId eq ${query.actorId}`);
    if (query.target) filters.push(odata`target eq ${query.target}`);
    // keys sort newest first (as Executions')
    filters.push(...timeRangeFilters(query));
    const page = await queryPage(this.table, filters, query, fromTableEntity);
    return { entries: page.items, continuationToken: page.continuationToken };
  }
}
