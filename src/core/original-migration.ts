/**
 * `cloudo migrate`: turns what the original (Python) ClouDO stored as schemas into a schemas file this
 * ClouDO imports, naming every field it changed and why.
 *
 * The original kept one row per schema in its `RunbookSchemas` table, written three ways: its Terraform
 * module (`azurerm_storage_table_entity`: every value a string, RowKey a random uuid, "terraform" appended
 * to `tags`), its console (PartitionKey "RunbookSchema", RowKey = id, `require_approval` a boolean, `tags`
 * "ui, …", `severity` and `monitor_condition` as typed in the form) and `az storage entity insert` (strings).
 * It read `oncall` and `require_approval` as text compared with "true", trimmed the text fields, and found a
 * schema by its `id` (or `Id`) field, never by RowKey.
 */
import { z } from 'zod';
import { parseSchemaEntries, RunbookSchemaEntry } from './runbook-schema.js';

/** One thing the migration did to one field of one source entry, and why. */
export interface MigrationNote {
  /** Which source entry: `[0].entity[1]` of a file, `row test/test-0001` of a table. */
  readonly source: string;
  readonly field: string;
  readonly note: string;
}

/** A source entry that could not become a valid entry, with this ClouDO's reasons. */
export interface MigrationSkip {
  readonly source: string;
  readonly problems: readonly string[];
}

export interface MigrationResult {
  /** The schemas file to write: every entry in it validates. */
  readonly file: { partition_key: string; entity: Record<string, unknown>[] }[];
  readonly notes: MigrationNote[];
  readonly skipped: MigrationSkip[];
}

/** One schema as the original stored it, before any mapping. */
export interface OriginalRecord {
  readonly source: string;
  /** The partition it was filed under, when the source names one. */
  readonly partitionKey: string | null;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** What the original's console saved a schema under when the form named no partition. */
const ORIGINAL_DEFAULT_PARTITION = 'RunbookSchema';

/** Properties Table storage adds to every row (and its exports copy): not the schema's. */
const TABLE_METADATA = /^(Timestamp|timestamp|etag|odata\..+|@odata\..+|.+@odata\.type)$/;

/** Fields an alert brings: the original's form let people type them, but it overwrote them from each alert. */
const ALERT_FIELDS = new Set(['severity', 'monitor_condition']);

/** Text fields the original trimmed when it read a row (models.py), in the order the output lists them. */
const TRIMMED = ['name', 'description', 'runbook', 'run_args', 'worker'] as const;

const OUTPUT_ORDER = [
  'id',
  'name',
  'description',
  'runbook',
  'run_args',
  'worker',
  'oncall',
  'require_approval',
  'tags',
];

const KNOWN_FIELDS = new Set(Object.keys(RunbookSchemaEntry.shape));

const WORKER_ALLOWED = /[^A-Za-z0-9_.-]+/g;

const OriginalFile = z.array(
  z.object({ partition_key: z.unknown(), entity: z.array(z.record(z.string(), z.unknown())) }),
);
const TableRows = z.array(z.record(z.string(), z.unknown()).refine((row) => 'PartitionKey' in row || 'RowKey' in row));

/**
 * Reads an export of the original's schemas: its schemas file (`[{partition_key, entity: [...]}]`), or
 * its table's rows as JSON (an array of rows with PartitionKey/RowKey, `az storage entity query`'s
 * `{items: [...]}` or the REST API's `{value: [...]}`).
 */
export function readOriginalExport(
  text: string,
): { ok: true; records: OriginalRecord[] } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${(err as Error).message}` };
  }
  const file = OriginalFile.safeParse(json);
  if (file.success) {
    return {
      ok: true,
      records: file.data.flatMap((partition, p) =>
        partition.entity.map((fields, e) => ({
          source: `[${p}].entity[${e}]`,
          partitionKey: typeof partition.partition_key === 'string' ? partition.partition_key : null,
          fields,
        })),
      ),
    };
  }
  const listed = json !== null && typeof json === 'object' && !Array.isArray(json) ? tableListing(json) : json;
  const rows = TableRows.safeParse(listed);
  if (rows.success) return { ok: true, records: fromTableRows(rows.data) };
  return {
    ok: false,
    error:
      'neither a schemas file ([{"partition_key": …, "entity": [...]}]) nor table rows ' +
      '(an array of rows with PartitionKey and RowKey, or {"items": [...]} / {"value": [...]})',
  };
}

function tableListing(json: object): unknown {
  if ('items' in json) return json.items;
  if ('value' in json) return json.value;
  return json;
}

/** Rows of the original's table, each named by its keys as people see them in Storage Explorer. */
export function fromTableRows(rows: readonly Readonly<Record<string, unknown>>[]): OriginalRecord[] {
  return rows.map((row) => {
    const partitionKey = typeof row.PartitionKey === 'string' ? row.PartitionKey : null;
    return { source: `row ${partitionKey ?? '?'}/${String(row.RowKey ?? '?')}`, partitionKey, fields: row };
  });
}

/** Maps the original's records to a schemas file; entries that still fail validation are left out, with why. */
export function migrateOriginalRecords(records: readonly OriginalRecord[]): MigrationResult {
  const notes: MigrationNote[] = [];
  const metadata = new Set<string>();
  const partitions = new Map<string, { entry: Record<string, unknown>; source: string }[]>();
  for (const record of records) {
    const note = (field: string, text: string) => notes.push({ source: record.source, field, note: text });
    const { partition, entry } = migrateRecord(record, note, metadata);
    const list = partitions.get(partition) ?? [];
    list.push({ entry, source: record.source });
    partitions.set(partition, list);
  }
  const grouped = [...partitions].map(([key, entries]) => ({ partition_key: key, entries }));
  if (metadata.size > 0) {
    notes.push({ source: '(every row)', field: [...metadata].join(', '), note: 'dropped: table metadata' });
  }
  // this ClouDO's own reader decides: whatever it would skip is left out of the file, with its reasons
  const check = parseSchemaEntries(
    JSON.stringify(grouped.map((g) => ({ partition_key: g.partition_key, entity: g.entries.map((e) => e.entry) }))),
  );
  const problemsOf = (path: string) =>
    check.errors
      .filter((e) => e.path.startsWith(path))
      .map((e) => `${e.path.slice(path.length + 1) || 'entry'}: ${e.message}`);
  const skippedPaths = new Set(check.skipped.map((s) => s.path));
  const skipped: MigrationSkip[] = [];
  const file = grouped
    .map((group, p) => ({
      partition_key: group.partition_key,
      entity: group.entries.flatMap(({ entry, source }, e) => {
        const path = `[${p}].entity[${e}]`;
        if (!skippedPaths.has(path)) return [entry];
        skipped.push({ source, problems: problemsOf(path) });
        return [];
      }),
    }))
    .filter((group) => group.entity.length > 0);
  return { file, notes, skipped };
}

function migrateRecord(
  record: OriginalRecord,
  note: (field: string, text: string) => void,
  metadata: Set<string>,
): { partition: string; entry: Record<string, unknown> } {
  const fields = { ...record.fields };
  const entry: Record<string, unknown> = {};
  let partition = record.partitionKey;
  if (partition === null) {
    partition = ORIGINAL_DEFAULT_PARTITION;
    note('PartitionKey', `missing: filed under "${partition}", where the original's console put schemas`);
  } else if (fields.PartitionKey === partition) note('PartitionKey', `became the partition_key "${partition}"`);
  else if ('PartitionKey' in fields) {
    // a file's entry carrying a stale copy of its row's key: the partition it sits in wins
    note(
      'PartitionKey',
      `${JSON.stringify(fields.PartitionKey)} dropped: the entry sits in partition_key "${partition}"`,
    );
  }
  delete fields.PartitionKey;

  entry.id = migrateId(fields, note);
  for (const field of TRIMMED) {
    const value = fields[field];
    delete fields[field];
    if (value === undefined) continue;
    if (value === null) {
      note(field, 'null dropped: the original read it as empty');
      continue;
    }
    const text = String(value);
    const trimmed = text.trim();
    if (typeof value !== 'string') note(field, `${JSON.stringify(value)} became the text "${text}"`);
    else if (trimmed !== text) note(field, 'surrounding blanks trimmed, as the original did when it read the row');
    entry[field] = trimmed;
  }
  if (entry.name === '' || entry.name === undefined) {
    entry.name = entry.id;
    note('name', 'empty: set to the id (a name is required here)');
  }
  if (typeof entry.worker === 'string' && entry.worker !== '') entry.worker = migrateWorker(entry.worker, note);
  for (const flag of ['oncall', 'require_approval'] as const) {
    if (!(flag in fields)) continue;
    entry[flag] = migrateFlag(fields[flag], (text) => note(flag, text));
    delete fields[flag];
  }
  if ('tags' in fields) {
    const tags = fields.tags;
    delete fields.tags;
    if (typeof tags === 'string') {
      entry.tags = tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      note('tags', `"${tags}" became the list ${JSON.stringify(entry.tags)}`);
    } else if (tags !== null) entry.tags = tags;
  }
  for (const [field, value] of Object.entries(fields)) {
    if (TABLE_METADATA.test(field)) metadata.add(field);
    else if (ALERT_FIELDS.has(field)) {
      note(field, `${JSON.stringify(value)} dropped: each alert brings its own (CLOUDO_SEVERITY, MONITOR_CONDITION)`);
    } else if (KNOWN_FIELDS.has(field)) entry[field] = value;
    else note(field, `${JSON.stringify(value)} dropped: not a field of either ClouDO`);
  }
  // the file reads best in the order people wrote it: the original's fields first, then the rest
  const ordered = Object.fromEntries(
    [...OUTPUT_ORDER.filter((k) => k in entry), ...Object.keys(entry).filter((k) => !OUTPUT_ORDER.includes(k))].map(
      (k) => [k, entry[k]],
    ),
  );
  return { partition, entry: ordered };
}

/** The original found a schema by `id`, else `Id`; RowKey is only a fallback, as its console set it to the id. */
function migrateId(fields: Record<string, unknown>, note: (field: string, text: string) => void): unknown {
  const { id, Id, RowKey } = fields;
  delete fields.id;
  delete fields.Id;
  delete fields.RowKey;
  const usable = (value: unknown) => typeof value === 'string' && value.trim() !== '';
  const from = usable(id) ? 'id' : usable(Id) ? 'Id' : RowKey !== undefined ? 'RowKey' : 'id';
  const chosen = { id, Id, RowKey }[from];
  if (from === 'Id') note('Id', 'became the id');
  else if (Id !== undefined) note('Id', 'dropped: a copy of the id');
  if (from === 'RowKey') note('RowKey', `"${String(RowKey)}" became the id: the row has no id field`);
  else if (RowKey !== undefined) {
    note('RowKey', `"${String(RowKey)}" dropped: the original's row key; rows here are keyed by the id`);
  }
  if (typeof chosen === 'string' && chosen.trim() !== chosen) {
    note('id', 'surrounding blanks trimmed, as the original did when it looked schemas up');
    return chosen.trim();
  }
  return chosen;
}

/** The original compared `str(value).strip().lower()` with "true": anything else was false. */
function migrateFlag(value: unknown, note: (text: string) => void): boolean {
  if (typeof value === 'boolean') return value;
  const text = String(value ?? '');
  const flag = text.trim().toLowerCase() === 'true';
  if (text === '') note('"" became false, as the original read an empty flag');
  else if (['true', 'false'].includes(text.trim().toLowerCase())) note(`"${text}" became ${flag}: a boolean here`);
  else note(`"${text}" became false: the original treated anything but "true" as false`);
  return flag;
}

/** Worker names here are queue-name parts: 1-30 letters, digits, ".", "_" or "-". */
function migrateWorker(worker: string, note: (field: string, text: string) => void): string {
  const name = worker
    .replace(WORKER_ALLOWED, '-')
    .replace(/^[-_.]+/, '')
    .slice(0, 30);
  if (name !== worker) {
    note(
      'worker',
      `"${worker}" became "${name}": worker names here are 1-30 letters, digits, ".", "_" or "-" ` +
        '(start its workers with CLOUDO_WORKER set to the new name)',
    );
  }
  return name;
}
