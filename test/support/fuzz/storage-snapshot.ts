import type { Storage } from '../../../src/storage/index.js';

/**
 * Everything the app could have written, as comparable text: every row of every table (key and ETag, so
 * an update shows as well as an insert), every blob (name and ETag), every queue's message count.
 */
export type StorageSnapshot = Readonly<Record<string, readonly string[]>>;

/**
 * Rows whose ETag may change on a request that is refused: an API token's "last used" is recorded when it
 * authenticates, whatever the route then answers (once a minute at most, see the Authenticator).
 */
const KEYS_ONLY_TABLES: readonly (keyof Storage['names'])[] = ['tokensTable'];

/**
 * Reads the snapshot. The tables and containers come from `storage.names` by their `…Table` and
 * `…Container` names, so one added later is watched without editing this file; queues are listed by the
 * namespace prefix (job queues are made on first use).
 */
export async function snapshotStorage(storage: Storage, namespace: string): Promise<StorageSnapshot> {
  const names = Object.entries(storage.names) as [keyof Storage['names'], unknown][];
  const tables = names.filter(([key, value]) => key.endsWith('Table') && typeof value === 'string');
  const containers = names.filter(([key, value]) => key.endsWith('Container') && typeof value === 'string');
  const reads: Promise<[string, string[]]>[] = [
    ...tables.map(async ([key, name]): Promise<[string, string[]]> => {
      const rows: string[] = [];
      const keysOnly = KEYS_ONLY_TABLES.includes(key);
      const entities = storage.clients
        .table(String(name))
        .listEntities({ queryOptions: { select: ['PartitionKey', 'RowKey'] } });
      for await (const e of entities) rows.push(`${e.partitionKey}/${e.rowKey}${keysOnly ? '' : `@${e.etag}`}`);
      return [`table ${String(name)}`, rows.sort()];
    }),
    ...containers.map(async ([, name]): Promise<[string, string[]]> => {
      const blobs: string[] = [];
      for await (const b of storage.clients.container(String(name)).listBlobsFlat()) {
        blobs.push(`${b.name}@${b.properties.etag}`);
      }
      return [`container ${String(name)}`, blobs.sort()];
    }),
    (async (): Promise<[string, string[]]> => {
      const queues = await storage.clients.listQueues(`${namespace}-`);
      const counts = await Promise.all(
        queues.map(async (q) => `${q}=${(await storage.clients.queue(q).getProperties()).approximateMessagesCount}`),
      );
      return ['queues', counts.sort()];
    })(),
  ];
  return Object.fromEntries(await Promise.all(reads));
}

/** What changed between two snapshots, one line per resource; empty when nothing did. */
export function snapshotChanges(before: StorageSnapshot, after: StorageSnapshot): string[] {
  const changes: string[] = [];
  for (const resource of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = new Set(before[resource] ?? []);
    const is = new Set(after[resource] ?? []);
    const added = [...is].filter((x) => !was.has(x));
    const removed = [...was].filter((x) => !is.has(x));
    if (added.length > 0 || removed.length > 0) {
      changes.push(`${resource}: +[${added.join(', ')}] -[${removed.join(', ')}]`);
    }
  }
  return changes;
}
