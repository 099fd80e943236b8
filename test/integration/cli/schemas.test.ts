import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
