import type { TableClient } from '@azure/data-tables';
import type { RowCodec, VersionedRow } from './mutate-entity.js';
import { mutateEntity, readEntity, textRows } from './mutate-entity.js';

export type DeliveryClaim =
  | { readonly kind: 'new' }
  /** `at`: ISO time of the delivery that claimed the key, so a duplicate can rebuild what it recorded. */
  | { readonly kind: 'duplicate'; readonly execId: string; readonly at: string };

interface DeliveryRow {
  readonly execId: string;
  /** ISO time of the delivery that started the run. */
  readonly at: string;
}

const DELIVERY_ROWS: RowCodec<DeliveryRow> = textRows('execId', 'at');

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
    const mine: DeliveryRow = { execId, at: now.toISOString() };
    const outcome = await mutateEntity<DeliveryRow, DeliveryClaim>(
      this.table,
      { partitionKey: schemaId, rowKey: key },
      DELIVERY_ROWS,
      (existing) => {
        if (!existing) return { write: mine, result: { kind: 'new' } };
        if (now.getTime() - Date.parse(existing.row.at) < windowMs)
          return { result: { kind: 'duplicate', execId: existing.row.execId, at: existing.row.at } };
        // the window has passed: this delivery starts a new run, unless another one renews it first
        return { write: mine, result: { kind: 'new' } };
      },
      // most alerts are new: try the insert before reading
      { assume: null },
    );
    if (!outcome.settled) throw new Error(`could not settle the delivery key of schema ${schemaId} after 5 attempts`);
    return outcome.result;
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

  private async read(schemaId: string, key: string): Promise<VersionedRow<DeliveryRow> | null> {
    return readEntity(this.table, { partitionKey: schemaId, rowKey: key }, DELIVERY_ROWS);
  }
}
