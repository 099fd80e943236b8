import { createStorageClients, statusOf } from './clients.js';

export type ForeignTableRead =
  | { readonly ok: true; readonly rows: Record<string, unknown>[] }
  | { readonly ok: false; readonly error: string };

/**
 * Every row of a table of another installation (the original ClouDO's `RunbookSchemas`), under the names
 * the table itself gives its keys (PartitionKey, RowKey, Timestamp) rather than the SDK's, so that rows read
 * here and rows exported as JSON by other tools map the same way. A missing table is an answer, not an outage.
 */
export async function readForeignTable(connectionString: string, table: string): Promise<ForeignTableRead> {
  const client = createStorageClients({ kind: 'connection-string', connectionString }, 'prompt').table(table);
  const rows: Record<string, unknown>[] = [];
  try {
    for await (const row of client.listEntities<Record<string, unknown>>()) {
      const { partitionKey, rowKey, timestamp, etag: _etag, ...fields } = row;
      rows.push({ PartitionKey: partitionKey, RowKey: rowKey, ...plainValues(fields), Timestamp: timestamp });
    }
  } catch (err) {
    if (statusOf(err) === 404) return { ok: false, error: `table ${table} does not exist in that storage account` };
    return { ok: false, error: `cannot read table ${table}: ${(err as Error).message}` };
  }
  return { ok: true, rows };
}

/** The SDK hands typed properties back as Dates and `{ type: 'Int64', value }`: the JSON an export holds. */
function plainValues(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => {
      if (value instanceof Date) return [key, value.toISOString()];
      if (value !== null && typeof value === 'object' && 'value' in value && 'type' in value) return [key, value.value];
      return [key, value];
    }),
  );
}
