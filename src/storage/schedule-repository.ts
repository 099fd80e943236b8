import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type { EnabledOverride, ScheduleDeclaration } from '../core/schedule.js';
import { clearEnabledOverride, newSchedule, overrideEnabled, redeclareSchedule, Schedule } from '../core/schedule.js';
import { statusOf } from './clients.js';
import type { EntityKeys, RowCodec } from './mutate-entity.js';
import { mutateEntity, readEntity } from './mutate-entity.js';
import { readStored } from './stored-value.js';

/** Every schedule shares one partition: a timer invocation lists them all in one query (ids are unique). */
const PARTITION = 'schedule';

/** Table properties hold no objects: these are stored as JSON text. */
const JSON_FIELDS = ['params', 'enabledOverride', 'missedTicks'] as const;

/** A schedule as a row: its fields as they are, objects as JSON, no null stored (absent reads as null). */
const scheduleRows: RowCodec<Schedule> = {
  toEntity(schedule) {
    const { id: _id, ...fields } = schedule;
    const row: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (value === null) continue;
      row[key] = (JSON_FIELDS as readonly string[]).includes(key) ? JSON.stringify(value) : value;
    }
    return row;
  },
  fromEntity(entity: TableEntityResult<Record<string, unknown>>) {
    const { rowKey, partitionKey: _p, etag: _e, timestamp: _t, ...fields } = entity;
    const objects = Object.fromEntries(
      JSON_FIELDS.filter((f) => typeof entity[f] === 'string').map((f) => [f, JSON.parse(String(entity[f]))] as const),
    );
    return readStored(Schedule, { ...fields, ...objects, id: rowKey }, `schedule ${String(rowKey)}`);
  },
};

/** Schedules written at once by an import. */
const IMPORT_BATCH = 16;

const keysOf = (id: string): EntityKeys => ({ partitionKey: PARTITION, rowKey: id });

export interface ScheduleImportReport {
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
  /** File-origin schedules in the table but not in the file: deleted with `prune`, otherwise only reported. */
  readonly notInFile: string[];
  readonly pruned: boolean;
  /** Schedules of the file an admin enabled or disabled: the override stays (`kept disabled by X`). */
  readonly overridden: { readonly id: string; readonly override: EnabledOverride }[];
  /** Ids of the file that a schedule made through the API holds: an import never touches those. */
  readonly heldByApi: string[];
}

/** What an import changed, for the audit log; null when it changed nothing. */
export function scheduleImportChanges(report: ScheduleImportReport): Record<string, string> | null {
  const deleted = report.pruned ? report.notInFile : [];
  if (report.created.length + report.updated.length + deleted.length === 0) return null;
  return {
    schedules_created: report.created.join(','),
    schedules_updated: report.updated.join(','),
    schedules_deleted: deleted.join(','),
  };
}

/**
 * The report's lines, as the schemas import prints its own: `schedules: 1 created (nightly), ...`; none
 * when neither the file nor the table has a schedule of the file.
 */
export function formatScheduleImport(report: ScheduleImportReport): string[] {
  const seen = report.created.length + report.updated.length + report.unchanged.length + report.notInFile.length;
  if (seen + report.heldByApi.length === 0) return [];
  const list = (ids: readonly string[]) => (ids.length > 0 ? ` (${ids.join(', ')})` : '');
  const lines = [
    `schedules: ${report.created.length} created${list(report.created)}, ${report.updated.length} updated${list(report.updated)}, ` +
      `${report.unchanged.length} unchanged` +
      (report.notInFile.length > 0
        ? `, ${report.notInFile.length} ${report.pruned ? 'deleted' : 'kept not in the file'}${list(report.notInFile)}`
        : ''),
  ];
  for (const { id, override } of report.overridden) {
    lines.push(
      `schedule ${id}: kept ${override.enabled ? 'enabled' : 'disabled'} by ${override.by} (since ${override.at})`,
    );
  }
  for (const id of report.heldByApi) {
    lines.push(`schedule ${id}: not imported, a schedule made through the API has this id (delete it there first)`);
  }
  return lines;
}

/** The outcome of an API create or replace. */
export type SchedulePut =
  | { readonly ok: true; readonly schedule: Schedule; readonly created: boolean }
  /** The id belongs to a schedule of the schemas file: changed there (or only enabled/disabled here). */
  | { readonly ok: false; readonly reason: 'file-origin'; readonly schedule: Schedule };

/** The outcome of a conditional delete: the schedule as it was, and whether it is gone. */
export interface ScheduleDelete {
  readonly deleted: boolean;
  readonly schedule: Schedule;
}

interface ImportedSchedule {
  readonly change: 'created' | 'updated' | 'unchanged';
  readonly schedule: Schedule;
}

/** Table `Schedules`: PartitionKey `schedule`, RowKey = the schedule id. */
export class ScheduleRepository {
  constructor(private readonly table: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  async list(): Promise<Schedule[]> {
    const out: Schedule[] = [];
    const rows = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq '${PARTITION}'` },
    });
    try {
      for await (const row of rows) out.push(scheduleRows.fromEntity(row));
    } catch (err) {
      // a deployment whose table is not there yet (created by the next terraform apply) has no schedules
      if (statusOf(err) === 404) return [];
      throw err;
    }
    return out;
  }

  async get(id: string): Promise<Schedule | null> {
    return (await readEntity(this.table, keysOf(id), scheduleRows))?.row ?? null;
  }

  /**
   * Creates or replaces a schedule through the API (origin `api`): a replace keeps the scheduler's state
   * and any admin override. A schedule of the schemas file is refused, not taken over.
   */
  async put(declaration: ScheduleDeclaration, now: Date = new Date()): Promise<SchedulePut> {
    const id = declaration.entry.id;
    const outcome = await mutateEntity(this.table, keysOf(id), scheduleRows, (current) => {
      if (!current) {
        const schedule = newSchedule(declaration, 'api', now);
        return { result: { ok: true, schedule, created: true } as SchedulePut, write: schedule };
      }
      if (current.row.origin === 'file') {
        return { result: { ok: false, reason: 'file-origin', schedule: current.row } as SchedulePut };
      }
      const schedule = redeclareSchedule(current.row, declaration, 'api', now);
      return { result: { ok: true, schedule, created: false } as SchedulePut, write: schedule };
    });
    if (!outcome.settled) throw new Error(`schedule ${id}: changed by others too often, try again`);
    return outcome.result;
  }

  /** Deletes a schedule; what it was, or null when there was none. */
  async delete(id: string): Promise<Schedule | null> {
    const outcome = await mutateEntity(this.table, keysOf(id), scheduleRows, (current) =>
      current ? { result: current.row, remove: true as const } : { result: null },
    );
    if (!outcome.settled) throw new Error(`schedule ${id}: changed by others too often, try again`);
    return outcome.result;
  }

  /**
   * Deletes a schedule only if `mayDelete` says so of the row as it stands (re-decided when someone wrote
   * meanwhile), so a check and its delete cannot be split by an import. Null when there is none.
   */
  async deleteIf(id: string, mayDelete: (current: Schedule) => boolean): Promise<ScheduleDelete | null> {
    const outcome = await mutateEntity<Schedule, ScheduleDelete | null>(
      this.table,
      keysOf(id),
      scheduleRows,
      (current) => {
        if (!current) return { result: null };
        const schedule = current.row;
        return mayDelete(schedule)
          ? { result: { deleted: true, schedule }, remove: true }
          : { result: { deleted: false, schedule } };
      },
    );
    if (!outcome.settled) throw new Error(`schedule ${id}: changed by others too often, try again`);
    return outcome.result;
  }

  /**
   * An admin's enable (`true`) or disable (`false`), kept across re-imports of the file; the schedule as
   * written, or null when there is none.
   */
  async setEnabled(id: string, enabled: boolean, by: string, now: Date = new Date()): Promise<Schedule | null> {
    return this.update(id, (current) => overrideEnabled(current, enabled, by, now));
  }

  /** Drops an admin's override: the schedule fires as declared again. The schedule as it stands, or null. */
  async clearOverride(id: string, now: Date = new Date()): Promise<Schedule | null> {
    return this.update(id, (current) => clearEnabledOverride(current, now));
  }

  /**
   * One ETag-guarded read-change-write of a schedule (re-read and re-decided when someone wrote meanwhile):
   * `change` returns the schedule to write, or null to write nothing. The schedule as it stands after, or
   * null when there is none.
   */
  async update(id: string, change: (current: Schedule) => Schedule | null): Promise<Schedule | null> {
    const outcome = await mutateEntity(this.table, keysOf(id), scheduleRows, (current) => {
      if (!current) return { result: null };
      const next = change(current.row);
      return next ? { result: next, write: next } : { result: current.row };
    });
    if (!outcome.settled) throw new Error(`schedule ${id}: changed by others too often, try again`);
    return outcome.result;
  }

  /**
   * Brings the schedules of a schemas file into the table, idempotently: new ones are created (firing from
   * now on), changed ones redeclared (state and admin override kept), and file schedules the file no longer
   * has are deleted with `prune`, else reported. Schedules made through the API are never touched.
   */
  async importFromFile(
    declarations: readonly ScheduleDeclaration[],
    options: { prune?: boolean; now?: Date } = {},
  ): Promise<ScheduleImportReport> {
    const now = options.now ?? new Date();
    const existing = new Map((await this.list()).map((s) => [s.id, s]));
    const report = {
      created: [] as string[],
      updated: [] as string[],
      unchanged: [] as string[],
      notInFile: [] as string[],
      pruned: !!options.prune,
      overridden: [] as { id: string; override: EnabledOverride }[],
      heldByApi: [] as string[],
    };
    const fromFile = declarations.filter((d) => {
      const before = existing.get(d.entry.id);
      existing.delete(d.entry.id);
      if (before?.origin === 'api') report.heldByApi.push(d.entry.id);
      return before?.origin !== 'api';
    });
    // a few at a time: a file of a thousand schedules imports in a second, not one round trip after another
    for (let i = 0; i < fromFile.length; i += IMPORT_BATCH) {
      const batch = fromFile.slice(i, i + IMPORT_BATCH);
      const results = await Promise.all(batch.map((declaration) => this.importOne(declaration, now)));
      results.forEach(({ change, schedule }) => {
        report[change].push(schedule.id);
        if (schedule.enabledOverride) report.overridden.push({ id: schedule.id, override: schedule.enabledOverride });
      });
    }
    for (const stale of existing.values()) {
      if (stale.origin !== 'file') continue;
      report.notInFile.push(stale.id);
      if (options.prune) await this.deleteIfPresent(stale.id);
    }
    return report;
  }

  /** One schedule of the file, written only if it changed (re-read, so a concurrent admin change is kept). */
  private async importOne(declaration: ScheduleDeclaration, now: Date): Promise<ImportedSchedule> {
    const outcome = await mutateEntity<Schedule, ImportedSchedule>(
      this.table,
      keysOf(declaration.entry.id),
      scheduleRows,
      (current) => {
        if (!current) {
          const schedule = newSchedule(declaration, 'file', now);
          return { result: { change: 'created', schedule }, write: schedule };
        }
        // made through the API since the list was read: an import leaves it alone
        if (current.row.origin === 'api') return { result: { change: 'unchanged', schedule: current.row } };
        const schedule = redeclareSchedule(current.row, declaration, 'file', now);
        if (schedule === current.row) return { result: { change: 'unchanged', schedule } };
        return { result: { change: 'updated', schedule }, write: schedule };
      },
    );
    if (!outcome.settled) throw new Error(`schedule ${declaration.entry.id}: changed by others too often`);
    return outcome.result;
  }

  private async deleteIfPresent(id: string): Promise<void> {
    try {
      await this.table.deleteEntity(PARTITION, id);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }
}
