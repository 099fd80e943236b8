import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { statusOf } from './clients.js';
import type { RowCodec } from './mutate-entity.js';
import { mutateEntity, textRows } from './mutate-entity.js';
import { deleteRows, firstRows } from './table-rows.js';

/** One (execution, target, action): sent, or given up on with the reason. */
export interface LedgerEntry {
  readonly status: 'sent' | 'failed';
  /** Slack ts, Opsgenie request id... */
  readonly ref: string | null;
  /** Slack: the channel ID the message is in, for later `chat.update`s. */
  readonly channel?: string | null;
  readonly reason: string | null;
  readonly at: string;
}

/** An open page about one schema on one resource, and the Slack thread that follows it. */
export interface PageState {
  readonly open: boolean;
  readonly slackTs: string | null;
  readonly slackChannel: string | null;
  /** Team whose Slack token posted the thread (null: the default token): its replies need the same workspace. */
  readonly slackTeam: string | null;
  /** Team whose Opsgenie key opened the alert (null: the default key): only that key's account can close it. */
  readonly opsgenieTeam: string | null;
  /** The run that opened it. */
  readonly execId: string;
}

/** A claim (see `claim`), or any entry as far as a claim is concerned: only its age matters. */
interface ClaimRow {
  readonly status: string;
  readonly at: string;
}

const CLAIM_ROWS: RowCodec<ClaimRow> = textRows('status', 'at');

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
      return fromRow(e);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async record(execId: string, key: string, entry: LedgerEntry): Promise<void> {
    const row: Record<string, string> = { status: entry.status, at: entry.at };
    if (entry.ref) row.ref = entry.ref;
    if (entry.channel) row.channel = entry.channel;
    if (entry.reason) row.reason = entry.reason.slice(0, 2000);
    await this.notifications.upsertEntity({ partitionKey: execId, rowKey: key, ...row }, 'Replace');
  }

  async list(execId: string): Promise<(LedgerEntry & { key: string })[]> {
    const out: (LedgerEntry & { key: string })[] = [];
    const rows = this.notifications.listEntities<Record<string, string | undefined>>({
      queryOptions: { filter: odata`PartitionKey eq ${execId}` },
    });
    for await (const e of rows) {
      // a claim is not a send (see claim)
      if (e.status !== 'claimed') out.push({ key: e.rowKey ?? '', ...fromRow(e) });
    }
    return out;
  }

  /**
   * Claims `key` of a run for one sender, so that two deliveries handled at once do not both make a send
   * that must happen once (a message posted twice). An insert-only write: true for the one that made it,
   * false while another holds it; a claim older than `staleAfterMs` is taken over (its holder died), by
   * one taker only (conditional on the claim seen). `release` ends it.
   */
  async claim(execId: string, key: string, now: Date, staleAfterMs: number): Promise<boolean> {
    const mine: ClaimRow = { status: 'claimed', at: now.toISOString() };
    let isFirstRound = true;
    const outcome = await mutateEntity(
      this.notifications,
      { partitionKey: execId, rowKey: key },
      CLAIM_ROWS,
      (held) => {
        const isFirst = isFirstRound;
        isFirstRound = false;
        // released after our insert failed: let the caller look again later
        if (!held) return isFirst ? { write: mine, result: true } : { result: false };
        if (now.getTime() - Date.parse(held.row.at) < staleAfterMs) return { result: false };
        return { write: mine, result: true };
      },
      // an insert, then at most one take-over; a take-over lost to another taker is theirs
      { assume: null, attempts: 2 },
    );
    return outcome.settled && outcome.result;
  }

  async release(execId: string, key: string): Promise<void> {
    try {
      await this.notifications.deleteEntity(execId, key);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  /**
   * Forgets every entry of these runs. Execution ids are UUIDv7, so partitions sort by request time and
   * the entries of runs requested close together are one key range: one query for a batch of runs (entries
   * of other runs in that range are read and left alone), and a transaction per 100 entries of a run.
   */
  async removeRuns(execIds: readonly string[]): Promise<void> {
    if (execIds.length === 0) return;
    const sorted = [...execIds].sort();
    const wanted = new Set(execIds);
    const range = odata`PartitionKey ge ${sorted[0] ?? ''} and PartitionKey le ${sorted.at(-1) ?? ''}`;
    const rows = await firstRows(this.notifications, range, Number.POSITIVE_INFINITY, ['PartitionKey', 'RowKey']);
    await deleteRows(
      this.notifications,
      rows
        .filter((r) => wanted.has(r.partitionKey ?? ''))
        .map((r) => ({ partitionKey: r.partitionKey ?? '', rowKey: r.rowKey ?? '' })),
    );
  }

  async page(dedupKey: string): Promise<PageState | null> {
    try {
      const e = await this.pages.getEntity<Record<string, unknown>>('page', pageKey(dedupKey));
      return {
        open: e.open === true,
        slackTs: typeof e.slackTs === 'string' ? e.slackTs : null,
        slackChannel: typeof e.slackChannel === 'string' ? e.slackChannel : null,
        // rows written before teams had their own credentials hold neither: the defaults opened them
        slackTeam: typeof e.slackTeam === 'string' ? e.slackTeam : null,
        opsgenieTeam: typeof e.opsgenieTeam === 'string' ? e.opsgenieTeam : null,
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
    if (state.slackTeam) row.slackTeam = state.slackTeam;
    if (state.opsgenieTeam) row.opsgenieTeam = state.opsgenieTeam;
    await this.pages.upsertEntity({ partitionKey: 'page', rowKey: pageKey(dedupKey), ...row }, 'Replace');
  }
}

function fromRow(e: Record<string, string | undefined>): LedgerEntry {
  return {
    status: e.status === 'sent' ? 'sent' : 'failed',
    ref: e.ref ?? null,
    channel: e.channel ?? null,
    reason: e.reason ?? null,
    at: e.at ?? '',
  };
}
