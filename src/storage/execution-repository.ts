import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import type { Execution, ExecutionStatus } from '../core/execution.js';
import {
  canTransition,
  Execution as ExecutionSchema,
  executionKeys,
  InvalidTransitionError,
} from '../core/execution.js';
import { statusOf } from './clients.js';
import { queryPage } from './paging.js';

type Row = Record<string, string | number | boolean>;

/** Table rows cannot hold null: a null field is simply absent, and absent reads back as null. */
function toTableEntity(execution: Execution): Row & { partitionKey: string; rowKey: string } {
  const { trigger, ...rest } = ExecutionSchema.parse(execution);
  const row: Row = {};
  for (const [key, value] of Object.entries({
    ...rest,
    triggerSource: trigger.source,
    triggerActor: trigger.actor,
    triggerTeam: trigger.team,
  })) {
    if (value !== null) row[key] = value;
  }
  return { ...executionKeys(execution.execId), ...row };
}

function fromTableEntity(entity: TableEntityResult<Record<string, unknown>>): Execution {
  const v = (key: string) => entity[key] ?? null;
  return ExecutionSchema.parse({
    execId: v('execId'),
    schemaId: v('schemaId'),
    schemaPartition: v('schemaPartition'),
    schemaName: v('schemaName'),
    runbook: v('runbook'),
    worker: v('worker'),
    runArgs: v('runArgs') ?? '',
    oncall: v('oncall') ?? false,
    timeoutMs: v('timeoutMs'),
    trigger: { source: v('triggerSource'), actor: v('triggerActor'), team: v('triggerTeam') },
    status: v('status'),
    requestedAt: v('requestedAt'),
    startedAt: v('startedAt'),
    finishedAt: v('finishedAt'),
    exitCode: v('exitCode'),
    signal: v('signal'),
    error: v('error'),
    logBytes: v('logBytes'),
    workerHost: v('workerHost'),
    workerId: v('workerId'),
    runbookOrigin: v('runbookOrigin'),
    commitSha: v('commitSha'),
    alertRule: v('alertRule'),
    monitorCondition: v('monitorCondition'),
    resourceId: v('resourceId'),
    cancelRequestedBy: v('cancelRequestedBy'),
    notifyError: v('notifyError'),
    aksCredentials: v('aksCredentials') ?? false,
  });
}

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

export interface ExecutionQuery {
  readonly status?: ExecutionStatus | undefined;
  readonly schemaId?: string | undefined;
  /** Alert runs on this ARM resource. */
  readonly resourceId?: string | undefined;
  /** Page size, 1-200. */
  readonly limit: number;
  /** Opaque token from the previous page. */
  readonly continuationToken?: string | undefined;
}

export interface ExecutionPage {
  readonly executions: Execution[];
  readonly continuationToken: string | null;
}

/** Table `Executions`: one row per run, newest first in key order (see `executionKeys`). */
export class ExecutionRepository {
  constructor(private readonly table: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  /** Inserts a new run; a second insert of the same id fails rather than overwrite it. */
  async create(execution: Execution): Promise<string> {
    const result = await this.table.createEntity(toTableEntity(execution));
    return result.etag ?? '';
  }

  async get(execId: string): Promise<VersionedExecution | null> {
    const { partitionKey, rowKey } = executionKeys(execId);
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      return { execution: fromTableEntity(entity), etag: entity.etag };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /**
   * Moves a run to `next.status` only if the row still has `etag` and the state machine allows it.
   * Returns the new ETag. Throws ConcurrentUpdateError when the row changed in between.
   */
  async transition(current: VersionedExecution, next: Execution): Promise<string> {
    if (!canTransition(current.execution.status, next.status)) {
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

  private async replaceIfUnchanged(current: VersionedExecution, next: Execution): Promise<string> {
    try {
      const result = await this.table.updateEntity(toTableEntity(next), 'Replace', { etag: current.etag });
      return result.etag ?? '';
    } catch (err) {
      if (statusOf(err) === 412) throw new ConcurrentUpdateError(next.execId);
      throw err;
    }
  }

  async list(query: ExecutionQuery): Promise<ExecutionPage> {
    const filters: string[] = [];
    if (query.status) filters.push(odata`status eq ${query.status}`);
    if (query.schemaId) filters.push(odata`schemaId eq ${query.schemaId}`);
    if (query.resourceId) filters.push(odata`resourceId eq ${query.resourceId}`);
    const page = await queryPage(this.table, filters, query, fromTableEntity);
    return { executions: page.items, continuationToken: page.continuationToken };
  }
}
