import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { statusOf } from './clients.js';

/** One (execution, target, action): sent, or given up on with the reason. */
export interface LedgerEntry {
  readonly status: 'sent' | 'failed';
  /** Slack ts, Opsgenie request id... */
  readonly ref: string | null;
  readonly reason: string | null;
  readonly at: string;
}

/** An open page about one schema on one resource, and the Slack thread that follows it. */
export interface PageState {
  readonly open: boolean;
  readonly slackTs: string | null;
  readonly slackChannel: string | null;
  /** The run that opened it. */
  readonly execId: string;
}

const pageKey = (dedupKey: string) => createHash('sha256').update(dedupKey).digest('hex');

/**
 * Tables `Notifications` (PartitionKey = execution, RowKey = `target.action`) and `Pages` (one row per
 * schema and resource). The ledger is written after a send succeeds: a process dying in between may send
 * once more (Opsgenie and PagerDuty dedupe by alias / dedup key, Slack may show a twin), but a page is
 * never lost, which writing first would risk.
 */
export class NotificationLedger {
  constructor(
    private readonly notifications: TableClient,
    private readonly pages: TableClient,
  ) {}

  async ensureTables(): Promise<void> {
    await Promise.all([this.notifications.createTable(), this.pages.createTable()]);
  }

  async get(execId: string, key: string): Promise<LedgerEntry | null> {
    try {
      const e = await this.notifications.getEntity<Record<string, string | undefined>>(execId, key);
      return {
        status: e.status === 'sent' ? 'sent' : 'failed',
        ref: e.ref ?? null,
        reason: e.reason ?? null,
        at: e.at ?? '',
      };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async record(execId: string, key: string, entry: LedgerEntry): Promise<void> {
    const row: Record<string, string> = { status: entry.status, at: entry.at };
    if (entry.ref) row.ref = entry.ref;
    if (entry.reason) row.reason = entry.reason.slice(0, 2000);
    await this.notifications.upsertEntity({ partitionKey: execId, rowKey: key, ...row }, 'Replace');
  }

  async list(execId: string): Promise<(LedgerEntry & { key: string })[]> {
    const out: (LedgerEntry & { key: string })[] = [];
    const rows = this.notifications.listEntities<Record<string, string | undefined>>({
      queryOptions: { filter: odata`PartitionKey eq ${execId}` },
    });
    for await (const e of rows) {
      out.push({
        key: e.rowKey ?? '',
        status: e.status === 'sent' ? 'sent' : 'failed',
        ref: e.ref ?? null,
        reason: e.reason ?? null,
        at: e.at ?? '',
      });
    }
    return out;
  }

  async page(dedupKey: string): Promise<PageState | null> {
    try {
      const e = await this.pages.getEntity<Record<string, unknown>>('page', pageKey(dedupKey));
      return {
        open: e.open === true,
        slackTs: typeof e.slackTs === 'string' ? e.slackTs : null,
        slackChannel: typeof e.slackChannel === 'string' ? e.slackChannel : null,
        execId: String(e.execId ?? ''),
      };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async setPage(dedupKey: string, state: PageState): Promise<void> {
    const row: Record<string, string | boolean> = { open: state.open, execId: state.execId };
    if (state.slackTs) row.slackTs = state.slackTs;
    if (state.slackChannel) row.slackChannel = state.slackChannel;
    await this.pages.upsertEntity({ partitionKey: 'page', rowKey: pageKey(dedupKey), ...row }, 'Replace');
  }
}
