import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { DEFAULT_APPROVAL_TIMEOUT_MINUTES } from '../core/approval-gate.js';
import { DEFAULT_DEDUPE_WINDOW_MINUTES, RunbookSchema } from '../core/runbook-schema.js';

interface SchemaEntity {
  partitionKey: string;
  rowKey: string;
  name: string;
  description: string;
  runbook: string;
  worker: string;
  oncall: boolean;
  runArgs: string;
  requireApproval: boolean;
  /** JSON array, like alertRules. */
  approvers: string;
  minApprovals: number;
  allowSelfApproval: boolean;
  rejectReasonRequired: boolean;
  approvalTimeoutMinutes: number;
  timeoutSeconds: number;
  /** JSON array: table properties hold no lists. */
  alertRules: string;
  dedupeWindowMinutes: number;
  onResolved: string;
  concurrency: string;
  aksCredentials: boolean;
  team?: string;
}

function toTableEntity(schema: RunbookSchema): SchemaEntity {
  return {
    partitionKey: schema.partitionKey,
    rowKey: schema.id,
    name: schema.name,
    description: schema.description,
    runbook: schema.runbook,
    worker: schema.worker,
    oncall: schema.oncall,
    runArgs: schema.runArgs,
    requireApproval: schema.requireApproval,
    approvers: JSON.stringify(schema.approvers),
    minApprovals: schema.minApprovals,
    allowSelfApproval: schema.allowSelfApproval,
    rejectReasonRequired: schema.rejectReasonRequired,
    approvalTimeoutMinutes: schema.approvalTimeoutMinutes,
    timeoutSeconds: schema.timeoutSeconds,
    alertRules: JSON.stringify(schema.alertRules),
    dedupeWindowMinutes: schema.dedupeWindowMinutes,
    onResolved: schema.onResolved,
    concurrency: schema.concurrency,
    aksCredentials: schema.aksCredentials,
    ...(schema.team ? { team: schema.team } : {}),
  };
}

function fromTableEntity(entity: TableEntityResult<Record<string, unknown>>): RunbookSchema {
  return RunbookSchema.parse({
    partitionKey: entity.partitionKey,
    id: entity.rowKey,
    name: entity.name,
    description: entity.description ?? '',
    runbook: entity.runbook,
    worker: entity.worker,
    oncall: entity.oncall ?? false,
    runArgs: entity.runArgs ?? '',
    requireApproval: entity.requireApproval ?? false,
    approvers: JSON.parse(String(entity.approvers ?? '[]')),
    minApprovals: entity.minApprovals ?? 1,
    allowSelfApproval: entity.allowSelfApproval ?? false,
    rejectReasonRequired: entity.rejectReasonRequired ?? true,
    approvalTimeoutMinutes: entity.approvalTimeoutMinutes ?? DEFAULT_APPROVAL_TIMEOUT_MINUTES,
    timeoutSeconds: entity.timeoutSeconds,
    // rows imported before these fields existed read as the defaults
    alertRules: JSON.parse(String(entity.alertRules ?? '[]')),
    dedupeWindowMinutes: entity.dedupeWindowMinutes ?? DEFAULT_DEDUPE_WINDOW_MINUTES,
    onResolved: entity.onResolved ?? 'run',
    concurrency: entity.concurrency ?? 'parallel',
    aksCredentials: entity.aksCredentials ?? false,
    team: entity.team ?? null,
  });
}

export interface SchemaImportReport {
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
  /** In the table but not in the file: deleted with `prune`, otherwise only reported. */
  readonly notInFile: string[];
  readonly pruned: boolean;
}

/** What an import changed, for the audit log; null when it changed nothing. */
export function schemaImportChanges(report: SchemaImportReport): Record<string, string> | null {
  const deleted = report.pruned ? report.notInFile : [];
  if (report.created.length + report.updated.length + deleted.length === 0) return null;
  return { created: report.created.join(','), updated: report.updated.join(','), deleted: deleted.join(',') };
}

/** Table `RunbookSchemas`: PartitionKey = partition_key, RowKey = id. */
export class SchemaRepository {
  constructor(private readonly table: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  /** Ids are unique across partitions, so a trigger needs only the id. */
  async get(id: string): Promise<RunbookSchema | null> {
    const rows = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`RowKey eq ${id}` } });
    for await (const row of rows) return fromTableEntity(row);
    return null;
  }

  async list(): Promise<RunbookSchema[]> {
    const out: RunbookSchema[] = [];
    for await (const row of this.table.listEntities<Record<string, unknown>>()) out.push(fromTableEntity(row));
    return out;
  }

  /** Idempotent: a second import of the same file changes nothing and says so. */
  async importSchemas(
    schemas: readonly RunbookSchema[],
    options: { prune?: boolean } = {},
  ): Promise<SchemaImportReport> {
    const existing = new Map((await this.list()).map((s) => [`${s.partitionKey}/${s.id}`, s]));
    const report: SchemaImportReport = {
      created: [],
      updated: [],
      unchanged: [],
      notInFile: [],
      pruned: !!options.prune,
    };
    for (const schema of schemas) {
      const key = `${schema.partitionKey}/${schema.id}`;
      const before = existing.get(key);
      existing.delete(key);
      if (before && sameSchema(before, schema)) {
        report.unchanged.push(schema.id);
        continue;
      }
      await this.table.upsertEntity(toTableEntity(schema), 'Replace');
      (before ? report.updated : report.created).push(schema.id);
    }
    for (const stale of existing.values()) {
      report.notInFile.push(stale.id);
      if (options.prune) await this.table.deleteEntity(stale.partitionKey, stale.id);
    }
    return report;
  }
}

function sameSchema(a: RunbookSchema, b: RunbookSchema): boolean {
  const ea = toTableEntity(a);
  const eb = toTableEntity(b);
  return (Object.keys(ea) as (keyof SchemaEntity)[]).every((k) => ea[k] === eb[k]);
}
