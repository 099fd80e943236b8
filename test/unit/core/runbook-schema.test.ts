import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseSchemaEntries,
  parseSchemasFile,
  RunbookSchema,
  RunbookSchemaEntry,
} from '../../../src/core/runbook-schema.js';
import { toSchemaResource } from '../../../src/core/schema-resource.js';

const ORIGINAL = readFileSync(new URL('../../fixtures/schemas/original-readme-example.json', import.meta.url), 'utf8');
const BROKEN = readFileSync(new URL('../../fixtures/schemas/original-with-broken-entry.json', import.meta.url), 'utf8');
const SAMPLES = readFileSync(new URL('../../../schemas/schemas.json', import.meta.url), 'utf8');

const file = (entity: Record<string, unknown>[], partition = 'p') =>
  JSON.stringify([{ partition_key: partition, entity }]);
const base = { id: 'a', name: 'a', description: 'd', runbook: 'a.sh', worker: 'Runbook', oncall: 'false' };

describe('parseSchemasFile', () => {
  it("imports the original project's README example verbatim", () => {
    const result = parseSchemasFile(ORIGINAL);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.schemas).toHaveLength(4);
    expect(result.schemas[2]).toEqual({
      partitionKey: 'infra',
      id: '000-0000-0e0e00ww-wasdsa',
      name: 'infra-pippo',
      description: 'Hello Pippo INFRA!',
      runbook: 'test.py',
      worker: 'Runbook',
      oncall: false,
      runArgs: '-n 1000 --repeats 1000',
      requireApproval: false,
      approvers: [],
      minApprovals: 1,
      allowSelfApproval: false,
      rejectReasonRequired: true,
      approvalTimeoutMinutes: 60,
      timeoutSeconds: 900,
      alertRules: [],
      dedupeWindowMinutes: 10,
      onResolved: 'run',
      concurrency: 'parallel',
      // the original fetched AKS credentials for AKS alerts unasked: `auto` does, for listed clusters
      aksCredentials: 'auto',
      team: null,
      // the original's runbooks all acted as its workers: here, as the default runbook identity
      identity: null,
      isolation: 'shared',
      resources: null,
      parameters: [],
      tags: [],
    });
  });

  it('accepts the shipped samples, including ids test, test-2 and test-3', () => {
    const result = parseSchemasFile(SAMPLES);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.schemas.map((s) => s.id)).toEqual(expect.arrayContaining(['test', 'test-2', 'test-3']));
  });

  it('reads "true"/"false" strings and booleans alike', () => {
    const result = parseSchemasFile(
      file([
        { ...base, id: 'a', oncall: 'True', require_approval: true },
        { ...base, id: 'b', oncall: false, require_approval: 'false' },
      ]),
    );
    expect(result.ok && result.schemas.map((s) => [s.oncall, s.requireApproval])).toEqual([
      [true, true],
      [false, false],
    ]);
  });

  it('reads aks_credentials as true, false or auto, in any spelling, unset or empty as auto', () => {
    const values = [true, 'TRUE', false, 'false', 'auto', 'Auto', '', undefined];
    const result = parseSchemasFile(
      file(values.map((aks_credentials, i) => ({ ...base, id: `s${i}`, aks_credentials }))),
    );
    expect(result.ok && result.schemas.map((s) => s.aksCredentials)).toEqual([
      true,
      true,
      false,
      false,
      'auto',
      'auto',
      'auto',
      'auto',
    ]);
  });

  it.each([
    ['{not json', '', /not valid JSON/],
    [file([{ ...base, aks_credentials: 'sometimes' }]), '[0].entity[0].aks_credentials', /must be true, false or auto/],
    [JSON.stringify({ partition_key: 'p' }), '', /expected array/],
    [file([{ ...base, runbook: undefined }]), '[0].entity[0].runbook', /expected string/],
    [file([{ ...base, runbook: '../secret.sh' }]), '[0].entity[0].runbook', /contains a "\.\." segment/],
    [file([{ ...base, runbook: '/etc/passwd' }]), '[0].entity[0].runbook', /is an absolute path/],
    [file([{ ...base, oncall: 'yes' }]), '[0].entity[0].oncall', /must be true or false/],
    [file([{ ...base, run_args: "'unterminated" }]), '[0].entity[0].run_args', /unterminated single quote/],
    [file([{ ...base, id: 'a/b' }]), '[0].entity[0].id', /must be 1-128/],
    [file([{ ...base, worker: 'has space' }]), '[0].entity[0].worker', /must be 1-30/],
    [file([{ ...base, run_arg: '-x' }]), '[0].entity[0]', /Unrecognized key: "run_arg"/],
    [file([base, { ...base }]), '[0].entity[1].id', /duplicate id "a" \(first defined at \[0\]\.entity\[0\]\.id\)/],
    [file([base], 'bad key'), '[0].partition_key', /must be 1-128/],
    [file([{ ...base, timeout_seconds: 0 }]), '[0].entity[0].timeout_seconds', /too small/i],
  ])('reports problem %# at its JSON path', (text, path, message) => {
    const result = parseSchemasFile(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});

describe('the schema contract', () => {
  it('stores every field a file may hold, and shows every stored field under the file’s name', () => {
    const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    // schedules are rows of Table Schedules of their own (test/unit/core/schedule.test.ts)
    const fileFields = Object.keys(RunbookSchemaEntry.shape)
      .filter((k) => k !== 'schedules')
      .map(camel)
      .sort();
    const storedFields = Object.keys(RunbookSchema.shape)
      .filter((k) => k !== 'partitionKey')
      .sort();
    expect(storedFields).toEqual(fileFields);
    const parsed = parseSchemasFile(
      JSON.stringify([{ partition_key: 'p', entity: [{ id: 'a', name: 'A', runbook: 'a.sh', worker: 'Runbook' }] }]),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const [schema] = parsed.schemas;
    if (!schema) throw new Error('no schema');
    expect(Object.keys(toSchemaResource(schema)).sort()).toEqual(
      ['partition_key', ...Object.keys(RunbookSchemaEntry.shape).filter((k) => k !== 'schedules')].sort(),
    );
  });
});

describe('schemas files of the original ClouDO', () => {
  const file = (entry: Record<string, unknown>) =>
    JSON.stringify([
      {
        partition_key: 'generic',
        entity: [{ id: 'a', name: 'A', runbook: 'a.sh', worker: 'Runbook', ...entry }],
      },
    ]);

  it('keeps tags as a list, takes an empty oncall as false, and accepts the fields it ignores, saying so', () => {
    const parsed = parseSchemasFile(
      file({
        tags: ['disk', 'linux'],
        oncall: '',
        severity: 'Sev2',
        monitor_condition: 'Fired',
        Id: 'a',
        PartitionKey: 'generic',
        RowKey: 'a',
      }),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.schemas[0]).toMatchObject({ id: 'a', tags: ['disk', 'linux'], oncall: false });
    expect(parsed.warnings).toEqual(
      ['severity', 'monitor_condition', 'Id', 'PartitionKey', 'RowKey'].map((field) => ({
        path: `[0].entity[0].${field}`,
        message: 'accepted from the original ClouDO and ignored',
      })),
    );
  });

  it('reads tags written as one comma-separated text, as the original console saved them', () => {
    const parsed = parseSchemasFile(file({ tags: 'disk, linux,' }));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.schemas[0]?.tags).toEqual(['disk', 'linux']);
    expect(parsed.warnings).toEqual([]);
  });

  it('still refuses a field neither ClouDO knows, naming it', () => {
    const parsed = parseSchemasFile(file({ colour: 'red' }));
    expect(parsed.ok).toBe(false);
  });
});

describe('parseSchemaEntries: each entry on its own', () => {
  it('keeps the valid entries of an original file, and skips the broken one and a duplicate id by JSON path', () => {
    const result = parseSchemaEntries(BROKEN);
    expect(result.schemas.map((s) => s.id)).toEqual([
      '000-0000-0e0e00ww-wqesd',
      '000-0000-0e0e00wa-wqesd',
      '000-0000-0e0e00ww-wasdsa',
      '12345678-1234-1234-1234-1234567890ab',
    ]);
    expect(result.schemas[0]).toMatchObject({ oncall: true, requireApproval: true, tags: ['terraform', 'disk'] });
    expect(result.schemas[1]).toMatchObject({ oncall: false, partitionKey: 'generic' });
    expect(result.errors).toEqual([
      { path: '[0].entity[2].run_args', message: expect.stringMatching(/unterminated single quote/) },
      {
        path: '[2].entity[1].id',
        message: 'duplicate id "000-0000-0e0e00wa-wqesd" (first defined at [0].entity[1].id)',
      },
    ]);
    expect(result.skipped).toEqual([
      { path: '[0].entity[2]', id: 'broken-args' },
      { path: '[2].entity[1]', id: '000-0000-0e0e00wa-wqesd' },
    ]);
    expect(result.warnings.map((w) => w.path)).toEqual([
      '[0].entity[1].severity',
      '[0].entity[1].monitor_condition',
      '[2].entity[0].severity',
      '[2].entity[0].monitor_condition',
    ]);
  });

  it('makes the whole-file parse refuse the same file, with the same errors', () => {
    const result = parseSchemasFile(BROKEN);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual(['[0].entity[2].run_args', '[2].entity[1].id']);
  });

  it('calls a later entry with an id an earlier broken entry used a duplicate too', () => {
    const result = parseSchemaEntries(file([{ ...base, runbook: '../x.sh' }, { ...base }]));
    expect(result.schemas).toEqual([]);
    expect(result.skipped.map((s) => s.path)).toEqual(['[0].entity[0]', '[0].entity[1]']);
    expect(result.errors.map((e) => e.path)).toEqual(['[0].entity[0].runbook', '[0].entity[1].id']);
  });

  it('skips every entry of a partition whose partition_key is wrong', () => {
    const text = JSON.stringify([
      {
        partition_key: 'bad key',
        entity: [
          { ...base, id: 'x' },
          { ...base, id: 'y' },
        ],
      },
      { partition_key: 'ok', entity: [{ ...base, id: 'z' }] },
    ]);
    const result = parseSchemaEntries(text);
    expect(result.schemas.map((s) => s.id)).toEqual(['z']);
    expect(result.errors.map((e) => e.path)).toEqual(['[0].partition_key']);
    expect(result.skipped).toEqual([
      { path: '[0].entity[0]', id: 'x' },
      { path: '[0].entity[1]', id: 'y' },
    ]);
  });

  it.each([
    ['{not json', /not valid JSON/],
    [JSON.stringify({ partition_key: 'p' }), /expected array/],
  ])('has nothing to keep from a file that is not a list of partitions (%#)', (text, message) => {
    const result = parseSchemaEntries(text);
    expect(result.schemas).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(result.errors).toEqual([{ path: '', message: expect.stringMatching(message) }]);
  });

  it('names an entry without a readable id by its path alone', () => {
    const result = parseSchemaEntries(file([{ ...base, id: 42 }]));
    expect(result.skipped).toEqual([{ path: '[0].entity[0]', id: null }]);
  });
});
