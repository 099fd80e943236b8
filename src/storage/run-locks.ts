import type { TableClient } from '@azure/data-tables';
import type { RowCodec } from './mutate-entity.js';
import { mutateEntity, textRows } from './mutate-entity.js';

const PARTITION = 'lock';

interface LockRow {
  readonly execId: string;
  /** ISO time the holder took it. */
  readonly at: string;
}

const LOCK_ROWS: RowCodec<LockRow> = textRows('execId', 'at');

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
    const mine: LockRow = { execId, at: new Date().toISOString() };
    const outcome = await mutateEntity(
      this.table,
      { partitionKey: PARTITION, rowKey: key },
      LOCK_ROWS,
      async (holder) => {
        if (!holder) return { write: mine, result: true };
        if (holder.row.execId === execId) return { result: true };
        if (await holderIsActive(holder.row.execId)) return { result: false };
        return { write: mine, result: true };
      },
      // most locks are free: try the insert before reading
      { assume: null },
    );
    return outcome.settled && outcome.result;
  }

  /** Gives the lock back if `execId` still holds it. */
  async release(key: string, execId: string): Promise<void> {
    // taken over or gone already (a lost race): either way it is no longer ours
    await mutateEntity(
      this.table,
      { partitionKey: PARTITION, rowKey: key },
      LOCK_ROWS,
      (holder) => (holder?.row.execId === execId ? { remove: true, result: null } : { result: null }),
      { attempts: 1 },
    );
  }
}
