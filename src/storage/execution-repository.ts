import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import type { Execution, ExecutionStatus, Run } from '../core/execution.js';
import {
  canTransition,
  Execution as ExecutionSchema,
  execIdTimeMs,
  executionKeys,
  InvalidTransitionError,
  isLateOutcome,
  isRun,
  newestFirstKeys,
} from '../core/execution.js';
import type { RunChange } from '../core/run-lifecycle.js';
import type { RunSummary } from '../core/run-stats.js';
import { statusOf } from './clients.js';
import type { ExecutionPage, ExecutionQuery } from './execution-query.js';
import { searchExecutions } from './execution-search.js';
import type { RowCodec } from './mutate-entity.js';
import { mutateEntity, readEntity } from './mutate-entity.js';
import type { RunSummaries, RunSummaryScan } from './run-summaries.js';
import { readRunSummaries, readRunSummariesOf } from './run-summaries.js';
import { readStored } from './stored-value.js';
import { deleteRows, firstRows } from './table-rows.js';

type Row = Record<string, string | number | boolean>;

/** Nested values, stored as JSON text; an empty one is not stored at all and reads as its default. */
const JSON_FIELDS = ['approval', 'approvals', 'params', 'reruns', 'resources', 'schedule'] as const;

const isEmpty = (value: unknown) =>
  value === null || (Array.isArray(value) ? value.length === 0 : Object.keys(value as object).length === 0);

/** Table rows cannot hold null: a null field is simply absent, and absent reads back as null. */
function toTableEntity(execution: Execution): Row & { partitionKey: string; rowKey: string } {
  const { trigger, ...rest } = ExecutionSchema.parse(execution);
  const nested = Object.fromEntries(
    JSON_FIELDS.map((field) => [field, isEmpty(rest[field]) ? null : JSON.stringify(rest[field])]),
  );
  const row: Row = {};
  for (const [key, value] of Object.entries({
    ...rest,
    ...nested,
    triggerSource: trigger.source,
    triggerActor: trigger.actor,
    triggerTeam: trigger.team,
    triggerPrincipal: trigger.principal,
  })) {
    if (value !== null) row[key] = value as string | number | boolean;
  }
  return { ...executionKeys(execution.execId), ...row };
}

const fromJson = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : undefined);

/**
 * The run fields an unmatched alert's row held before the contract gave it none: placeholders
 * (`runbook: ''`, `timeoutMs: 1`...) that read as absent, so such a row reads as any unmatched alert.
 */
const UNMATCHED_PLACEHOLDERS = ['schemaId', 'schemaPartition', 'schemaName', 'runbook', 'worker', 'timeoutMs'];

function fromTableEntity(entity: TableEntityResult<Record<string, unknown>>): Execution {
  // the row is the contract's fields as they are (a null is not stored: it reads as the field's default),
  // but for the trigger, flattened, and the nested fields' JSON; the schema drops the table's own properties
  const { triggerSource, triggerActor, triggerTeam, triggerPrincipal, ...fields } = entity;
  if (fields.status === 'unmatched') for (const name of UNMATCHED_PLACEHOLDERS) delete fields[name];
  return readStored(
    ExecutionSchema,
    {
      ...fields,
      trigger: {
        source: triggerSource,
        actor: triggerActor ?? null,
        team: triggerTeam ?? null,
        principal: triggerPrincipal ?? null,
      },
      ...Object.fromEntries(JSON_FIELDS.map((field) => [field, fromJson(fields[field])])),
    },
    `execution ${String(fields.execId)}`,
  );
}

/** How a run is a table row and back; exported for tools that write many rows at once (the bench's seed). */
export const EXECUTION_ROWS: RowCodec<Execution> = { fromEntity: fromTableEntity, toEntity: toTableEntity };

/** Someone else changed the row first (a concurrent claim, a cancel): re-read and decide again. */
export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
  constructor(readonly execId: string) {
    super(`execution ${execId} was changed by someone else`);
  }
}

export interface VersionedExecution {
  readonly execution: Execution;
  /** Table ETag; a conditional update with it fails if anyone wrote in between. */
  readonly etag: string;
}

/** A run's row as read, with its ETag: what may be queued, claimed and run (an unmatched alert may not). */
export interface VersionedRun extends VersionedExecution {
  readonly execution: Run;
}

/**
 * One round of a read-decide-write on a run: `write` (with its status, or with the same status for a
 * change that keeps it) and what to answer, or just the answer when nothing is to be written.
 */
export type ExecutionChange<T> = RunChange<T>;

export type { ExecutionPage, ExecutionQuery } from './execution-query.js';

/** An index row older than this whose run does not exist was left by a create that never happened. */
const ORPHAN_INDEX_AFTER_MS = 5 * 60_000;
const PENDING = 'pending';
/** Waiting runs whose rows are read at once. */
const PENDING_READ_BATCH = 50;

/**
 * Table `Executions`: one row per run, newest first in key order (see `executionKeys`). Table
 * `PendingApprovals` indexes the runs waiting for approval, so the inbox and expiry read a few rows instead
 * of scanning every run; this repository keeps it: written before a waiting row, removed after the row
 * leaves `pending_approval`. A stale index row (a crash in between) is dropped when read.
 */
export class ExecutionRepository {
  constructor(
    private readonly table: TableClient,
    private readonly pendingIndex: TableClient,
  ) {}

  async ensureTable(): Promise<void> {
    await Promise.all([this.table.createTable(), this.pendingIndex.createTable()]);
  }

  /** Inserts a new run; a second insert of the same id fails rather than overwrite it. */
  async create(execution: Execution): Promise<string> {
    // index first: a waiting run is never missing from the inbox, at worst an index row outlives a failed create
    if (execution.status === 'pending_approval') {
      await this.pendingIndex.upsertEntity({ partitionKey: PENDING, rowKey: execution.execId }, 'Replace');
    }
    const result = await this.table.createEntity(toTableEntity(execution));
    return result.etag ?? '';
  }

  /**
   * Inserts a run unless a row with its id exists: true when this call wrote it. For rows that several
   * deliveries may race to write (an unmatched alert's), where losing is an answer, not an error.
   */
  async createIfAbsent(execution: Execution): Promise<boolean> {
    return (await this.createOnce(execution)) !== null;
  }

  /** Inserts a run unless a row with its id exists: its ETag when this call wrote it, null when one existed. */
  async createOnce(execution: Execution): Promise<string | null> {
    try {
      return await this.create(execution);
    } catch (err) {
      if (statusOf(err) === 409) return null;
      throw err;
    }
  }

  /** The runs waiting for approval, newest first (at most `limit`). */
  async listPending(limit = 1000): Promise<Execution[]> {
    const ids: string[] = [];
    for await (const row of this.pendingIndex.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${PENDING}` },
    })) {
      if (row.rowKey) ids.push(row.rowKey);
    }
    // UUIDv7 ids sort by request time
    ids.sort().reverse();
    const found: Execution[] = [];
    // rows are read in parallel, a batch at a time, until `limit` waiting runs are found
    for (let i = 0; i < ids.length && found.length < limit; i += PENDING_READ_BATCH) {
      const batch = ids.slice(i, i + PENDING_READ_BATCH);
      const rows = await Promise.all(batch.map((execId) => this.get(execId)));
      for (const [j, current] of rows.entries()) {
        const execId = batch[j] ?? '';
        if (current?.execution.status === 'pending_approval') found.push(current.execution);
        else if (current || Date.now() - execIdTimeMs(execId) > ORPHAN_INDEX_AFTER_MS) await this.unindex(execId);
      }
    }
    return found.slice(0, limit);
  }

  private async unindex(execId: string): Promise<void> {
    try {
      await this.pendingIndex.deleteEntity(PENDING, execId);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  async get(execId: string): Promise<VersionedExecution | null> {
    const found = await readEntity(this.table, executionKeys(execId), EXECUTION_ROWS);
    return found && { execution: found.row, etag: found.etag };
  }

  /**
   * Moves a run to `next.status` only if the row still has `etag` and the state machine allows it.
   * Returns the new ETag. Throws ConcurrentUpdateError when the row changed in between.
   */
  async transition(current: VersionedExecution, next: Execution): Promise<string> {
    if (!canTransition(current.execution.status, next.status) && !isLateOutcome(current.execution, next)) {
      throw new InvalidTransitionError(current.execution.status, next.status);
    }
    return this.replaceIfUnchanged(current, next);
  }

  /** Writes a change that keeps the status (a cancel request), only if the row still has `etag`. */
  async update(current: VersionedExecution, next: Execution): Promise<string> {
    if (next.status !== current.execution.status)
      throw new InvalidTransitionError(current.execution.status, next.status);
    return this.replaceIfUnchanged(current, next);
  }

  /**
   * Reads the run, lets `decide` choose what to write, and writes it only if nobody wrote in between;
   * when somebody did, reads again and asks again (`decide` sees their write), up to `attempts` times,
   * then throws ConcurrentUpdateError. A write that changes the status must be one the state machine
   * allows (or a late outcome). `known`: the run as the caller last read it, decided on without a read.
   * Returns the answer and, when something was written, the run as written with its ETag.
   */
  async change<T>(
    execId: string,
    decide: (current: VersionedExecution | null) => ExecutionChange<T>,
    attempts = 5,
    known?: VersionedExecution,
  ): Promise<{ result: T; written: VersionedExecution | null }> {
    let before: Execution | null = null;
    const outcome = await mutateEntity(
      this.table,
      executionKeys(execId),
      EXECUTION_ROWS,
      (current) => {
        const step = decide(current && { execution: current.row, etag: current.etag });
        // runs are created by `create` alone: a run that is not there is not written here
        if (!step.write || !current) return { result: step.result };
        const { status } = current.row;
        if (step.write.status !== status && !canTransition(status, step.write.status)) {
          if (!isLateOutcome(current.row, step.write)) throw new InvalidTransitionError(status, step.write.status);
        }
        before = current.row;
        return step;
      },
      { attempts, assume: known && { row: known.execution, etag: known.etag } },
    );
    if (!outcome.settled) throw new ConcurrentUpdateError(execId);
    const { result, written } = outcome;
    if (!written) return { result, written: null };
    if ((before as Execution | null)?.status === 'pending_approval' && written.row.status !== 'pending_approval') {
      // the decision stands whatever happens here: a row left in the index is dropped when next read
      await this.unindex(execId).catch(() => undefined);
    }
    return { result, written: { execution: written.row, etag: written.etag } };
  }

  /** One conditional write of a run already checked against the state machine. */
  private async replaceIfUnchanged(current: VersionedExecution, next: Execution): Promise<string> {
    const { written } = await this.change(next.execId, () => ({ write: next, result: null }), 1, current);
    return written?.etag ?? '';
  }

  /**
   * At most `limit` runs in none of `exceptStatuses`, requested on a UTC day before the day of `beforeMs`.
   * A day is a partition and older days have greater keys, so this is one key range (`PartitionKey gt` the
   * day) that the service starts reading where the old rows begin: one request finds that there are none.
   * The statuses are excluded rather than listed: a filter may hold at most 15 comparisons.
   */
  async listRequestedBefore(
    beforeMs: number,
    exceptStatuses: readonly ExecutionStatus[],
    limit: number,
  ): Promise<Execution[]> {
    const day = newestFirstKeys(beforeMs, '').partitionKey;
    const filter = [odata`PartitionKey gt ${day}`, ...exceptStatuses.map((s) => odata`status ne ${s}`)].join(' and ');
    return (await firstRows(this.table, filter, limit)).map(fromTableEntity);
  }

  /**
   * At most `limit` runs still `accepted` that were requested between `fromMs` and `toMs`. Days are
   * partitions, older days greater keys: the range of those days' partitions, filtered by status.
   */
  async listAcceptedBetween(fromMs: number, toMs: number, limit: number): Promise<Run[]> {
    const newest = newestFirstKeys(toMs, '').partitionKey;
    const oldest = newestFirstKeys(fromMs, '').partitionKey;
    const filter = odata`PartitionKey ge ${newest} and PartitionKey le ${oldest} and status eq ${'accepted'}`;
    return (await firstRows(this.table, filter, limit)).map(fromTableEntity).filter((e): e is Run => {
      const at = Date.parse(e.requestedAt);
      return isRun(e) && at >= fromMs && at <= toMs;
    });
  }

  /**
   * Deletes runs' rows, whatever their status: which runs may go is the caller's decision. A deleted
   * waiting run's row in PendingApprovals is dropped when next read, as after a failed create.
   */
  async delete(execIds: readonly string[]): Promise<void> {
    await deleteRows(this.table, execIds.map(executionKeys));
  }

  /** One page of runs, newest first, filtered (see ExecutionQuery for what a page may cost). */
  list(query: ExecutionQuery): Promise<ExecutionPage> {
    return searchExecutions(this.table, query, fromTableEntity);
  }

  /** A few fields of every run requested in a time range, for statistics (bounded by `maxRows`). */
  listSummaries(scan: RunSummaryScan): Promise<RunSummaries> {
    return readRunSummaries(this.table, scan);
  }

  /** A few fields of each run named, by id (a few requests for many ids); runs no longer kept are absent. */
  summariesOf(execIds: readonly string[]): Promise<Map<string, RunSummary>> {
    return readRunSummariesOf(this.table, execIds);
  }
}
