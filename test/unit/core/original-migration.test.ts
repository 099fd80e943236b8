import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MigrationResult } from '../../../src/core/original-migration.js';
import { migrateOriginalRecords, readOriginalExport } from '../../../src/core/original-migration.js';
import { parseSchemasFile } from '../../../src/core/runbook-schema.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/schemas/${name}`, import.meta.url), 'utf8');

function migrate(text: string): MigrationResult {
  const read = readOriginalExport(text);
  if (!read.ok) throw new Error(read.error);
  return migrateOriginalRecords(read.records);
}

const notesOf = (result: MigrationResult, source: string) =>
  result.notes.filter((n) => n.source === source).map((n) => `${n.field}: ${n.note}`);

/** What `cloudo schemas validate` would say of the output: it must import as it is. */
function expectImports(result: MigrationResult) {
  const parsed = parseSchemasFile(JSON.stringify(result.file));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  expect(parsed.warnings).toEqual([]);
  return parsed.schemas;
}

describe('migrating rows of the original RunbookSchemas table', () => {
  const result = migrate(fixture('original-table-rows.json'));

  it('writes a file that imports, grouped by the rows’ partitions', () => {
    const schemas = expectImports(result);
    expect(schemas.map((s) => [s.partitionKey, s.id])).toEqual([
      ['generic', '000-0000-0e0e00ww-wqesd'],
      ['RunbookSchema', 'disk-cleanup'],
      ['RunbookSchema', 'legacy-restart'],
      ['test', 'test'],
    ]);
  });

  it('maps a row the original’s Terraform module wrote: keys, text booleans, tags', () => {
    expect(result.file[0]).toEqual({
      partition_key: 'generic',
      entity: [
        {
          id: '000-0000-0e0e00ww-wqesd',
          name: 'pippo',
          description: 'Hello Pippo V1!',
          runbook: 'check_sys.sh',
          run_args: '',
          worker: 'Runbook',
          oncall: true,
          tags: ['terraform'],
        },
      ],
    });
    expect(notesOf(result, 'row generic/5f0c1d7e-3b7a-4a53-9d59-2c1f0b6a8e11')).toEqual([
      'PartitionKey: became the partition_key "generic"',
      'RowKey: "5f0c1d7e-3b7a-4a53-9d59-2c1f0b6a8e11" dropped: the original\'s row key; rows here are keyed by the id',
      'oncall: "true" became true: a boolean here',
      'tags: "terraform" became the list ["terraform"]',
    ]);
  });

  it('maps a row the original’s console wrote: its worker renamed, its alert fields dropped, blanks trimmed', () => {
    const entry = result.file[1]?.entity[0];
    expect(entry).toEqual({
      id: 'disk-cleanup',
      name: 'disk cleanup',
      description: 'Frees space on the AKS nodes',
      runbook: 'aks/aks-scale-node-pool.sh',
      run_args: '--nodes 3',
      worker: 'aks-weu',
      oncall: false,
      require_approval: true,
      tags: ['ui', 'disk'],
    });
    const notes = notesOf(result, 'row RunbookSchema/disk-cleanup');
    expect(notes).toContain('name: surrounding blanks trimmed, as the original did when it read the row');
    expect(notes).toContain('oncall: "" became false, as the original read an empty flag');
    expect(notes).toContain('severity: "" dropped: each alert brings its own (CLOUDO_SEVERITY, MONITOR_CONDITION)');
    expect(notes).toContain(
      'monitor_condition: "" dropped: each alert brings its own (CLOUDO_SEVERITY, MONITOR_CONDITION)',
    );
    expect(notes.find((n) => n.startsWith('worker:'))).toMatch(/^worker: "aks weu" became "aks-weu": .*CLOUDO_WORKER/);
    expect(notes).toContain('RowKey: "disk-cleanup" dropped: the original\'s row key; rows here are keyed by the id');
  });

  it('takes the RowKey as the id of a row without one, and any spelling of "true"', () => {
    const entry = result.file[1]?.entity[1];
    expect(entry).toMatchObject({ id: 'legacy-restart', name: 'legacy restart', worker: 'alert', oncall: true });
    expect(notesOf(result, 'row RunbookSchema/legacy-restart')).toEqual(
      expect.arrayContaining([
        'RowKey: "legacy-restart" became the id: the row has no id field',
        'oncall: "TRUE" became true: a boolean here',
      ]),
    );
  });

  it('reads require_approval written as text by az storage entity insert', () => {
    expect(result.file[2]?.entity[0]).toMatchObject({
      id: 'test',
      require_approval: true,
      tags: ['terraform', 'test'],
    });
  });

  it('leaves out a row this ClouDO refuses, saying why, and says the table metadata went once', () => {
    expect(result.skipped).toEqual([
      { source: 'row RunbookSchema/escape', problems: [expect.stringMatching(/^runbook: .*"\.\." segment/)] },
    ]);
    expect(result.notes.filter((n) => n.source === '(every row)')).toEqual([
      { source: '(every row)', field: 'Timestamp, etag', note: 'dropped: table metadata' },
    ]);
  });
});

describe('migrating files of the original', () => {
  it('takes its README example and changes only the booleans', () => {
    const result = migrate(fixture('original-readme-example.json'));
    expect(expectImports(result)).toHaveLength(4);
    expect(result.skipped).toEqual([]);
    expect(new Set(result.notes.map((n) => n.field))).toEqual(new Set(['oncall']));
  });

  it('drops the alert fields of its entries and leaves out its broken one and the duplicate id', () => {
    const result = migrate(fixture('original-with-broken-entry.json'));
    expect(expectImports(result).map((s) => s.id)).toEqual([
      '000-0000-0e0e00ww-wqesd',
      '000-0000-0e0e00wa-wqesd',
      '000-0000-0e0e00ww-wasdsa',
      '12345678-1234-1234-1234-1234567890ab',
    ]);
    expect(result.skipped.map((s) => s.source)).toEqual(['[0].entity[2]', '[2].entity[1]']);
    expect(result.skipped[1]?.problems).toEqual([
      'id: duplicate id "000-0000-0e0e00wa-wqesd" (first defined at [0].entity[1].id)',
    ]);
    expect(notesOf(result, '[0].entity[1]')).toContain(
      'severity: "Sev2" dropped: each alert brings its own (CLOUDO_SEVERITY, MONITOR_CONDITION)',
    );
  });

  it.each([
    [
      'a REST listing',
      JSON.stringify({ value: [{ PartitionKey: 'p', RowKey: 'r', id: 'r', name: 'n', runbook: 'a.sh', worker: 'w' }] }),
    ],
    [
      'a bare array of rows',
      JSON.stringify([{ PartitionKey: 'p', RowKey: 'r', id: 'r', name: 'n', runbook: 'a.sh', worker: 'w' }]),
    ],
  ])('reads %s', (_, text) => {
    expect(expectImports(migrate(text)).map((s) => s.id)).toEqual(['r']);
  });

  it.each([
    ['{', /not valid JSON/],
    ['{"schemas": []}', /neither a schemas file/],
    ['[{"name": "no keys"}]', /neither a schemas file/],
  ])('refuses %s, saying what it expected', (text, error) => {
    const read = readOriginalExport(text);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toMatch(error);
  });
});

describe('copies of the row keys in a file of the original', () => {
  it('keeps the entry in the partition it sits in, naming the stale copy it dropped', () => {
    const text = JSON.stringify([
      {
        partition_key: 'infra',
        entity: [{ PartitionKey: 'old', RowKey: 'r1', Id: 'x', id: 'x', name: 'x', runbook: 'a.sh', worker: 'w' }],
      },
    ]);
    const result = migrate(text);
    expect(expectImports(result).map((s) => [s.partitionKey, s.id])).toEqual([['infra', 'x']]);
    expect(notesOf(result, '[0].entity[0]')).toEqual([
      'PartitionKey: "old" dropped: the entry sits in partition_key "infra"',
      'Id: dropped: a copy of the id',
      'RowKey: "r1" dropped: the original\'s row key; rows here are keyed by the id',
    ]);
  });
});
