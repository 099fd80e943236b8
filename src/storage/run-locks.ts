import type { TableClient } from '@azure/data-tables';
import { statusOf } from './clients.js';

const PARTITION = 'lock';

/**
 * Table `RunLocks`: who may run now among runs that must not overlap (schema concurrency `queue`). A
 * lock is a row; taking it is a conditional insert, and a holder whose run has ended may be replaced.
 */
export class RunLocks {
  constructor(private readonly table: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  /**
   * Takes `key` for `execId`. True when it is ours (also when we already held it); false while another
   * run holds it and `holderIsActive` says that run is still queued or running.
   */
  async acquire(key: string, execId: string, holderIsActive: (holder: string) => Promise<boolean>): Promise<boolean> {
    const row = { partitionKey: PARTITION, rowKey: key, execId, at: new Date().toISOString() };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.table.createEntity(row);
        return true;
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
      }
      const holder = await this.read(key);
      if (!holder) continue;
      if (holder.execId === execId) return true;
      if (await holderIsActive(holder.execId)) return false;
      try {
        await this.table.updateEntity(row, 'Replace', { etag: holder.etag });
        return true;
      } catch (err) {
        if (statusOf(err) !== 412) throw err;
      }
    }
    return false;
  }

  /** Gives the lock back if `execId` still holds it. */
  async release(key: string, execId: string): Promise<void> {
    const holder = await this.read(key);
    if (holder?.execId !== execId) return;
    try {
      await this.table.deleteEntity(PARTITION, key, { etag: holder.etag });
    } catch (err) {
      // taken over or gone already: either way it is no longer ours
      if (statusOf(err) !== 404 && statusOf(err) !== 412) throw err;
    }
  }

  private async read(key: string): Promise<{ execId: string; etag: string } | null> {
    try {
      const entity = await this.table.getEntity<{ execId: string }>(PARTITION, key);
      return { execId: entity.execId, etag: entity.etag };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }
}
