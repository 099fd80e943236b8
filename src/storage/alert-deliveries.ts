import type { TableClient } from '@azure/data-tables';
import { statusOf } from './clients.js';

export type DeliveryClaim =
  | { readonly kind: 'new' }
  /** `at`: ISO time of the delivery that claimed the key, so a duplicate can rebuild what it recorded. */
  | { readonly kind: 'duplicate'; readonly execId: string; readonly at: string };

interface DeliveryRow {
  readonly execId: string;
  /** ISO time of the delivery that started the run. */
  readonly at: string;
}

/**
 * Table `AlertDeliveries`: which run a delivery of an alert started, keyed by (schema, alert + condition).
 * A conditional insert decides between two deliveries racing on two instances: one run, whoever wins.
 */
export class AlertDeliveries {
  constructor(private readonly table: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  /**
   * Claims `key` for `execId`, unless a run was started for it less than `windowMs` ago, in which case
   * that run's id comes back as a duplicate.
   */
  async claim(schemaId: string, key: string, execId: string, now: Date, windowMs: number): Promise<DeliveryClaim> {
    const row = { partitionKey: schemaId, rowKey: key, execId, at: now.toISOString() };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.table.createEntity(row);
        return { kind: 'new' };
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
      }
      const existing = await this.read(schemaId, key);
      if (!existing) continue;
      if (now.getTime() - Date.parse(existing.row.at) < windowMs)
        return { kind: 'duplicate', execId: existing.row.execId, at: existing.row.at };
      try {
        // the window has passed: this delivery starts a new run, unless another one renews it first
        await this.table.updateEntity(row, 'Replace', { etag: existing.etag });
        return { kind: 'new' };
      } catch (err) {
        if (statusOf(err) !== 412) throw err;
      }
    }
    throw new Error(`could not settle the delivery key of schema ${schemaId} after 5 attempts`);
  }

  /** The run a key points at, if any. */
  async find(schemaId: string, key: string): Promise<DeliveryRow | null> {
    return (await this.read(schemaId, key))?.row ?? null;
  }

  /**
   * Gives a claim back if `execId` still holds it: when its run could not be dispatched, so the next
   * delivery tries again, and when its run is purged.
   */
  async release(schemaId: string, key: string, execId: string): Promise<void> {
    const existing = await this.read(schemaId, key);
    if (existing?.row.execId !== execId) return;
    await this.table.deleteEntity(schemaId, key, { etag: existing.etag }).catch(() => undefined);
  }

  private async read(schemaId: string, key: string): Promise<{ row: DeliveryRow; etag: string } | null> {
    try {
      const entity = await this.table.getEntity<{ execId: string; at: string }>(schemaId, key);
      return { row: { execId: entity.execId, at: entity.at }, etag: entity.etag };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }
}
