import type { TableClient, TableEntityResult } from '@azure/data-tables';

/**
 * One page of a filtered table query. The service may answer a filtered query with an empty page and a
 * token (it stopped at a partition boundary); reading on until rows or the end keeps the API's pages
 * meaningful.
 */
export async function queryPage<T>(
  table: TableClient,
  filters: readonly string[],
  options: { limit: number; continuationToken?: string | undefined },
  map: (entity: TableEntityResult<Record<string, unknown>>) => T,
): Promise<{ items: T[]; continuationToken: string | null }> {
  const pages = table
    .listEntities<Record<string, unknown>>({
      queryOptions: filters.length > 0 ? { filter: filters.join(' and ') } : {},
    })
    .byPage({ maxPageSize: options.limit, continuationToken: options.continuationToken });
  for (;;) {
    const next = await pages.next();
    if (next.done) return { items: [], continuationToken: null };
    const page = next.value;
    if (page.length > 0 || !page.continuationToken) {
      return { items: page.map(map), continuationToken: page.continuationToken ?? null };
    }
  }
}
