import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { RunbookSchema } from '../core/runbook-schema.js';
import { readStored } from './stored-value.js';

/** Table properties hold no lists or objects: these are stored as JSON text. */
const JSON_FIELDS = ['approvers', 'alertRules', 'parameters', 'tags', 'resources'] as const;

/** The schema as a row: its fields as they are (id as the RowKey, nested values as JSON, no null stored). */
export function toTableEntity(
  schema: RunbookSchema,
): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const { id, ...fields } = schema;
  // a table property cannot be null: a null field (no team, no identity) is left out and reads back as null
  const row: Record<string, unknown> = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
  for (const field of JSON_FIELDS) if (schema[field] !== null) row[field] = JSON.stringify(schema[field]);
  return { ...row, partitionKey: schema.partitionKey, rowKey: id };
}

/** The row read as the schema reads it: a field a row predates reads as the schema's default. */
function fromTableEntity(entity: TableEntityResult<Record<string, unknown>>): RunbookSchema {
  const { rowKey, ...fields } = entity;
  const nested = Object.fromEntries(
    JSON_FIELDS.map((field) => {
      const text = entity[field];
      return [field, typeof text === 'string' ? JSON.parse(text) : undefined] as const;
    }),
  );
  return readStored(RunbookSchema, { ...fields, ...nested, id: rowKey }, `schema ${String(rowKey)}`);
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
  return Object.keys({ ...ea, ...eb }).every((k) => ea[k] === eb[k]);
}
