import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { cloudo } from '../../support/cli.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const entity = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  description: 'd',
  runbook: 'check_sys.sh',
  worker: 'Runbook',
  oncall: 'false',
  ...extra,
});

describe('cloudo schemas', () => {
  let t: TestStorage;
  let dir: string;
  const write = async (name: string, content: unknown) => {
    const file = path.join(dir, name);
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  beforeAll(async () => {
    t = await createTestStorage();
    dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-cli-'));
  });
  afterAll(() => t.cleanup());

  it('validates the original README example as is', async () => {
    const res = await cloudo([
      'schemas',
      'validate',
      path.resolve('test/fixtures/schemas/original-readme-example.json'),
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/valid, 4 schemas in 3 partitions/);
  });

  it('lists every problem of a bad file by JSON path and exits 1', async () => {
    const file = await write('bad.json', [
      { partition_key: 'p', entity: [entity('a', { runbook: '/etc/passwd' }), entity('a', { oncall: 'maybe' })] },
    ]);
    const res = await cloudo(['schemas', 'validate', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('[0].entity[0].runbook: runbook "/etc/passwd" is an absolute path');
    expect(res.stderr).toContain('[0].entity[1].oncall: must be true or false');
    expect(res.stderr).toContain('[0].entity[1].id: duplicate id "a"');
  });

  it('takes a file of the original ClouDO as it is, showing apart what it ignored, and keeps its tags', async () => {
    const file = await write('original.json', [
      {
        partition_key: 'p',
        entity: [entity('orig', { tags: 'disk,linux', oncall: '', severity: 'Sev2', RowKey: 'orig' })],
      },
    ]);
    const validated = await cloudo(['schemas', 'validate', file]);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain(
      '2 warnings:\n  [0].entity[0].severity: accepted from the original ClouDO and ignored\n' +
        '  [0].entity[0].RowKey: accepted from the original ClouDO and ignored\n',
    );
    const imported = await cloudo(['schemas', 'import', file], t.env);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('created 1: orig');
    expect(await t.storage.schemas.get('orig')).toMatchObject({ tags: ['disk', 'linux'], oncall: false });
    // gone again, so the next tests' imports see only their own schemas
    await t.storage.clients.table(t.storage.names.schemasTable).deleteEntity('p', 'orig');
  });

  it('refuses to import a bad file and writes nothing', async () => {
    const file = await write('bad-import.json', [{ partition_key: 'p', entity: [entity('z', { runbook: '../x' })] }]);
    const res = await cloudo(['schemas', 'import', file], t.env);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/nothing imported/);
    expect(await t.storage.schemas.get('z')).toBeNull();
  });

  const BROKEN = path.resolve('test/fixtures/schemas/original-with-broken-entry.json');
  const BROKEN_VALID_IDS = [
    '000-0000-0e0e00ww-wqesd',
    '000-0000-0e0e00wa-wqesd',
    '000-0000-0e0e00ww-wasdsa',
    '12345678-1234-1234-1234-1234567890ab',
  ];
  const removeBrokenFixture = async () => {
    const table = t.storage.clients.table(t.storage.names.schemasTable);
    for (const id of BROKEN_VALID_IDS) {
      const schema = await t.storage.schemas.get(id);
      if (schema) await table.deleteEntity(schema.partitionKey, schema.id);
    }
  };

  it('validates an original file with a broken entry: errors and warnings apart, exit 1', async () => {
    const res = await cloudo(['schemas', 'validate', BROKEN]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${BROKEN}: 4 valid schemas, 2 entries with errors`);
    expect(res.stderr).toMatch(
      /2 errors:\n {2}\[0\]\.entity\[2\]\.run_args: run_args has an unterminated single quote\n {2}\[2\]\.entity\[1\]\.id: duplicate id/,
    );
    expect(res.stderr).toContain(
      '4 warnings:\n  [0].entity[1].severity: accepted from the original ClouDO and ignored',
    );
    expect(res.stderr).toContain(
      'import would skip the 2 entries with errors; with --strict it refuses the whole file',
    );
  });

  it('imports the valid entries of a file with a broken one, naming what it skipped, and exits 1', async () => {
    const res = await cloudo(['schemas', 'import', BROKEN], t.env);
    // gone again whatever the outcome, so the next tests' imports see only their own schemas
    onTestFinished(removeBrokenFixture);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('[0].entity[2].run_args: run_args has an unterminated single quote');
    expect(res.stderr).toContain(
      'imported 4 schemas; 2 entries skipped: [0].entity[2] (broken-args), [2].entity[1] (000-0000-0e0e00wa-wqesd)',
    );
    for (const id of BROKEN_VALID_IDS) expect(await t.storage.schemas.get(id)).not.toBeNull();
    expect(await t.storage.schemas.get('broken-args')).toBeNull();
    // the first entry with the duplicated id is the one kept
    expect((await t.storage.schemas.get('000-0000-0e0e00wa-wqesd'))?.description).toBe('Hello Pippo V2!');
    const audit = await t.storage.audit.list({ limit: 5 });
    expect(audit.entries.find((e) => e.action === 'schema.import.rejected')?.details).toMatchObject({
      skipped: '[0].entity[2] (broken-args), [2].entity[1] (000-0000-0e0e00wa-wqesd)',
    });
  });

  it('with --strict, refuses the whole file and writes nothing', async () => {
    const res = await cloudo(['schemas', 'import', BROKEN, '--strict'], t.env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('[0].entity[2].run_args: run_args has an unterminated single quote');
    expect(res.stderr).toContain('--strict: nothing imported');
    for (const id of BROKEN_VALID_IDS) expect(await t.storage.schemas.get(id)).toBeNull();
  });

  it('does not prune while entries are skipped: it would delete what the registry holds for them', async () => {
    const v1 = await write('prune-v1.json', [{ partition_key: 'p', entity: [entity('pr-a'), entity('pr-b')] }]);
    await cloudo(['schemas', 'import', v1], t.env);
    const v2 = await write('prune-v2.json', [
      { partition_key: 'p', entity: [entity('pr-a', { run_args: '-v' }), entity('pr-b', { runbook: '../x' })] },
    ]);
    const res = await cloudo(['schemas', 'import', v2, '--prune'], t.env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('updated 1: pr-a');
    expect(res.stderr).toMatch(/not pruned: 1 entry skipped/);
    expect(await t.storage.schemas.get('pr-b')).not.toBeNull();
    const table = t.storage.clients.table(t.storage.names.schemasTable);
    await Promise.all([table.deleteEntity('p', 'pr-a'), table.deleteEntity('p', 'pr-b')]);
  });

  it('imports idempotently and reports what changed', async () => {
    const v1 = await write('v1.json', [{ partition_key: 'p', entity: [entity('a'), entity('b')] }]);
    const first = await cloudo(['schemas', 'import', v1], t.env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('created 2: a, b');

    const again = await cloudo(['schemas', 'import', v1], t.env);
    expect(again.stdout).toContain('created 0');
    expect(again.stdout).toContain('updated 0');
    expect(again.stdout).toContain('unchanged 2');

    const v2 = await write('v2.json', [{ partition_key: 'p', entity: [entity('a', { run_args: '-v' })] }]);
    const changed = await cloudo(['schemas', 'import', v2], t.env);
    expect(changed.stdout).toContain('updated 1: a');
    expect(changed.stdout).toContain('kept 1 not in the file: b (--prune deletes them)');
    expect((await t.storage.schemas.get('a'))?.runArgs).toBe('-v');

    const pruned = await cloudo(['schemas', 'import', v2, '--prune'], t.env);
    expect(pruned.stdout).toContain('deleted 1 not in the file: b');
    expect(await t.storage.schemas.get('b')).toBeNull();
  });

  it('says how to configure storage when none is set', async () => {
    const file = await write('ok.json', [{ partition_key: 'p', entity: [entity('ok')] }]);
    const res = await cloudo(['schemas', 'import', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/AzureWebJobsStorage is not set/);
  });

  it('prints usage and exits 2 for an unknown command', async () => {
    const res = await cloudo(['nope']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/usage:/);
  });
});

describe('cloudo schemas import, with schedules', () => {
  let t: TestStorage;
  let dir: string;

  beforeAll(async () => {
    t = await createTestStorage();
    dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-cli-'));
  });
  afterAll(() => t.cleanup());

  it("reports the schedules it imported, keeps an admin's disable, and removes file schedules on --prune", async () => {
    const file = path.join(dir, 'scheduled.json');
    const withSchedules = (schedules: object[]) =>
      writeFile(file, JSON.stringify([{ partition_key: 'p', entity: [entity('nightly-job', { schedules })] }]));
    await withSchedules([
      { id: 'nightly', cron: '30 2 * * *', timezone: 'Europe/Rome' },
      { id: 'hourly', cron: '@hourly' },
    ]);
    const first = await cloudo(['schemas', 'import', file], t.env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('schedules: 2 created (nightly, hourly), 0 updated, 0 unchanged');

    await t.storage.schedules.setEnabled('nightly', false, 'user:alice@contoso.com');
    await withSchedules([{ id: 'nightly', cron: '30 3 * * *', timezone: 'Europe/Rome' }]);
    const second = await cloudo(['schemas', 'import', file, '--prune'], t.env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('schedules: 0 created, 1 updated (nightly), 0 unchanged, 1 deleted (hourly)');
    expect(second.stdout).toMatch(/schedule nightly: kept disabled by user:alice@contoso\.com/);
    expect(await t.storage.schedules.get('hourly')).toBeNull();
    expect(await t.storage.schedules.get('nightly')).toMatchObject({ cron: '30 3 * * *', enabled: true });
  });

  it('refuses an invalid cron, naming the field by JSON path', async () => {
    const file = path.join(dir, 'bad-cron.json');
    await writeFile(
      file,
      JSON.stringify([
        { partition_key: 'p', entity: [entity('bad-cron', { schedules: [{ id: 'x', cron: '0 0 31 2 MON-' }] })] },
      ]),
    );
    const res = await cloudo(['schemas', 'validate', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /\[0\]\.entity\[0\]\.schedules\[0\]\.cron: "0 0 31 2 MON-" is not a valid cron expression/,
    );
  });
});
