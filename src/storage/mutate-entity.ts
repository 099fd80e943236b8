import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { statusOf } from './clients.js';

export interface EntityKeys {
  readonly partitionKey: string;
  readonly rowKey: string;
}

/** How one table's rows map to what its repository hands out (keys excluded: they are the address). */
export interface RowCodec<R> {
  fromEntity(entity: TableEntityResult<Record<string, unknown>>): R;
  toEntity(row: R): Record<string, unknown>;
}

/** The codec of a table whose rows are a few text fields (absent reads as ''), like locks and claims. */
export function textRows<K extends string>(...fields: K[]): RowCodec<Record<K, string>> {
  return {
    fromEntity: (e) => Object.fromEntries(fields.map((f) => [f, String(e[f] ?? '')])) as Record<K, string>,
    toEntity: (row) => ({ ...row }),
  };
}

/** A row as read, with the ETag that makes a write conditional on nobody having written since. */
export interface VersionedRow<R> {
  readonly row: R;
  readonly etag: string;
}

/**
 * One round of a read-decide-write: what to answer, and what to write (a new row is inserted, an existing
 * one replaced) or `remove`; neither when the answer needs no write.
 */
export type RowDecision<R, T> =
  | { readonly result: T; readonly write?: undefined; readonly remove?: undefined }
  | { readonly result: T; readonly write: R; readonly remove?: undefined }
  | { readonly result: T; readonly remove: true; readonly write?: undefined };

export interface MutateOptions<R> {
  /** Rounds at most, each a read, a decision and a conditional write. Default 5. */
  readonly attempts?: number;
  /**
   * What the caller already knows the row to be, so the first round decides without reading; `null`
   * assumes it absent (an insert that fails if someone else inserted first).
   */
  readonly assume?: VersionedRow<R> | null;
}

export type Mutation<R, T> =
  /** `written`: the row as written with its new ETag, null when nothing was (or it was removed). */
  | { readonly settled: true; readonly result: T; readonly written: VersionedRow<R> | null }
  /** Every round lost to another writer. */
  | { readonly settled: false };

/** The row at `keys`, or null when there is none. */
export async function readEntity<R>(
  table: TableClient,
  keys: EntityKeys,
  codec: RowCodec<R>,
): Promise<VersionedRow<R> | null> {
  try {
    const entity = await table.getEntity<Record<string, unknown>>(keys.partitionKey, keys.rowKey);
    return { row: codec.fromEntity(entity), etag: entity.etag };
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

/**
 * The one ETag read-modify-retry loop: reads the row, lets `decide` choose, and writes only if nobody
 * wrote in between; when somebody did, reads again and asks again (`decide` sees their write). What a
 * table's rows mean, and what to do when every round is lost, is the caller's.
 */
export async function mutateEntity<R, T>(
  table: TableClient,
  keys: EntityKeys,
  codec: RowCodec<R>,
  decide: (current: VersionedRow<R> | null) => RowDecision<R, T> | Promise<RowDecision<R, T>>,
  options: MutateOptions<R> = {},
): Promise<Mutation<R, T>> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const current =
      attempt === 1 && options.assume !== undefined ? options.assume : await readEntity(table, keys, codec);
    const step = await decide(current);
    try {
      if (step.write) {
        const entity = { ...codec.toEntity(step.write), ...keys };
        const written = current
          ? await table.updateEntity(entity, 'Replace', { etag: current.etag })
          : await table.createEntity(entity);
        return { settled: true, result: step.result, written: { row: step.write, etag: written.etag ?? '' } };
      }
      if (step.remove && current) {
        await table.deleteEntity(keys.partitionKey, keys.rowKey, { etag: current.etag });
      }
      return { settled: true, result: step.result, written: null };
    } catch (err) {
      if (!isLostRace(err)) throw err;
    }
  }
  return { settled: false };
}

/** Inserted meanwhile (409), changed meanwhile (412) or removed meanwhile (404). */
const isLostRace = (err: unknown) => [404, 409, 412].includes(statusOf(err) ?? 0);
