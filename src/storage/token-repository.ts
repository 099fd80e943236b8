import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { ApiTokenRecord } from '../core/api-token.js';
import { statusOf } from './clients.js';
import { readStored } from './stored-value.js';

const PARTITION = 'token';

function toTableEntity(record: ApiTokenRecord) {
  const { id, ...rest } = ApiTokenRecord.parse(record);
  const row: Record<string, string> = {};
  for (const [key, value] of Object.entries(rest)) if (value !== null) row[key] = value;
  return { partitionKey: PARTITION, rowKey: id, ...row };
}

function fromTableEntity(entity: TableEntityResult<Record<string, unknown>>): ApiTokenRecord {
  const v = (key: string) => entity[key] ?? null;
  return readStored(
    ApiTokenRecord,
    {
      id: entity.rowKey,
      secretHash: v('secretHash'),
      role: v('role'),
      owner: v('owner'),
      description: v('description') ?? '',
      createdAt: v('createdAt'),
      expiresAt: v('expiresAt'),
      lastUsedAt: v('lastUsedAt'),
      revokedAt: v('revokedAt'),
    },
    `API token ${String(entity.rowKey)}`,
  );
}

/** Table `ApiTokens`: one row per token, keyed by its public id; the secret is kept only as a hash. */
export class TokenRepository {
  constructor(private readonly table: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  async create(record: ApiTokenRecord): Promise<void> {
    await this.table.createEntity(toTableEntity(record));
  }

  /** The token's record, or null; the id is checked by the caller's parse, never put in a filter. */
  async get(id: string): Promise<ApiTokenRecord | null> {
    try {
      return fromTableEntity(await this.table.getEntity<Record<string, unknown>>(PARTITION, id));
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async list(): Promise<ApiTokenRecord[]> {
    const out: ApiTokenRecord[] = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>()) out.push(fromTableEntity(row));
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Marks the token revoked; false when there is no such token. Revoking twice keeps the first time. */
  async revoke(id: string, now: Date = new Date()): Promise<ApiTokenRecord | null> {
    const record = await this.get(id);
    if (!record) return null;
    if (record.revokedAt) return record;
    const revoked = { ...record, revokedAt: now.toISOString() };
    await this.table.updateEntity({ partitionKey: PARTITION, rowKey: id, revokedAt: revoked.revokedAt }, 'Merge');
    return revoked;
  }

  /** Best-effort bookkeeping: a lost update only makes "last used" a little older. */
  async touch(id: string, now: Date = new Date()): Promise<void> {
    await this.table.updateEntity({ partitionKey: PARTITION, rowKey: id, lastUsedAt: now.toISOString() }, 'Merge');
  }
}
