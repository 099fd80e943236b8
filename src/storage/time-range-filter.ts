import { odata } from '@azure/data-tables';
import { newestFirstKeys } from '../core/execution.js';

/**
 * OData filters for the rows of a table keyed newest first (`newestFirstKeys`: a day a partition, older
 * days greater keys) whose time is in `fromMs`..`toMs`, both inclusive: a time range is a key range.
 */
export function timeRangeFilters(range: {
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
}): string[] {
  const filters: string[] = [];
  if (range.toMs !== undefined) {
    // `<inverted to>_` sorts before every row of that millisecond: they are all in
    const { partitionKey: p, rowKey: r } = newestFirstKeys(range.toMs, '');
    filters.push(odata`PartitionKey ge ${p} and (PartitionKey gt ${p} or RowKey ge ${r})`);
  }
  if (range.fromMs !== undefined) {
    const p = newestFirstKeys(range.fromMs, '').partitionKey;
    // the rows of the millisecond before `from` are the first ones out
    const r = newestFirstKeys(range.fromMs - 1, '').rowKey;
    filters.push(odata`PartitionKey le ${p} and (PartitionKey lt ${p} or RowKey lt ${r})`);
  }
  return filters;
}
