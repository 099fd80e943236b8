import type { TableClient, TableEntityResult, TransactionAction } from '@azure/data-tables';
import { statusOf } from './clients.js';

export interface RowKeys {
  readonly partitionKey: string;
  readonly rowKey: string;
}

/** What one table transaction may hold: 100 operations, all on one partition. */
const TRANSACTION_ROWS = 100;

/**
 * The first `limit` rows matching `filter`, read a page at a time (a page holds at most 1000 rows, and
 * never more than are wanted). `select` names the properties to bring back (`PartitionKey`, `RowKey`...).
 */
export async function firstRows(
  table: TableClient,
  filter: string,
  limit: number,
  select?: string[],
): Promise<TableEntityResult<Record<string, unknown>>[]> {
  const rows: TableEntityResult<Record<string, unknown>>[] = [];
  const pages = table
    .listEntities<Record<string, unknown>>({ queryOptions: select ? { filter, select } : { filter } })
    .byPage({ maxPageSize: Math.min(limit, 1000) });
  for await (const page of pages) {
    for (const row of page) {
      rows.push(row);
      if (rows.length >= limit) return rows;
    }
  }
  return rows;
}

/**
 * Deletes rows with one transaction per 100 rows of a partition, instead of a request per row. A
 * transaction fails whole when one of its rows is gone already (another purge got there first); its rows
 * are then deleted one by one, a missing one counting as deleted.
 */
export async function deleteRows(table: TableClient, rows: readonly RowKeys[]): Promise<void> {
  const byPartition = new Map<string, string[]>();
  for (const { partitionKey, rowKey } of rows) {
    const keys = byPartition.get(partitionKey) ?? [];
    keys.push(rowKey);
    byPartition.set(partitionKey, keys);
  }
  const transactions: RowKeys[][] = [];
  for (const [partitionKey, rowKeys] of byPartition) {
    for (let i = 0; i < rowKeys.length; i += TRANSACTION_ROWS) {
      transactions.push(rowKeys.slice(i, i + TRANSACTION_ROWS).map((rowKey) => ({ partitionKey, rowKey })));
    }
  }
  await Promise.all(
    transactions.map(async (keys) => {
      try {
        await table.submitTransaction(
          keys.map(({ partitionKey, rowKey }): TransactionAction => ['delete', { partitionKey, rowKey }]),
        );
      } catch {
        await Promise.all(keys.map((key) => deleteRow(table, key)));
      }
    }),
  );
}

async function deleteRow(table: TableClient, { partitionKey, rowKey }: RowKeys): Promise<void> {
  try {
    await table.deleteEntity(partitionKey, rowKey);
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}
