/**
 * `cloudo migrate` reads what the original ClouDO stored (its RunbookSchemas table, or an export of it) and
 * writes a schemas file this ClouDO imports as it is.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudo } from '../../support/cli.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const ROWS = path.resolve('test/fixtures/schemas/original-table-rows.json');

describe('cloudo migrate', () => {
  let t: TestStorage;
  let dir: string;
  let connectionString: string;
  const originalTable = `RunbookSchemas${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    t = await createTestStorage();
    dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-migrate-'));
    connectionString = t.env.AzureWebJobsStorage ?? '';
    // rows as the original wrote them: its Terraform module (every value a string, RowKey a random uuid),
    // its console (RowKey = id, require_approval a boolean, alert fields as typed), and az storage entity insert
    const table = t.storage.clients.table(originalTable);
    await table.createTable();
    await table.createEntity({
      partitionKey: 'generic',
      rowKey: '0b9c6f3e-2f1d-4b8e-a1c4-5d6e7f809a1b',
      id: 'tf-check',
      name: 'pippo',
      description: 'Hello Pippo V1!',
      runbook: 'check_sys.sh',
      worker: 'Runbook',
      oncall: 'true',
      tags: 'terraform',
    });
    await table.createEntity({
      partitionKey: 'RunbookSchema',
      rowKey: 'ui-restart',
      id: 'ui-restart',
      name: 'restart the pod',
      description: '',
      runbook: 'aks/aks-deployments-rollout.sh',
      run_args: '--namespace default',
      worker: 'aks weu',
      oncall: '',
      require_approval: true,
      severity: 'Sev2',
      monitor_condition: '',
      tags: 'ui, aks',
    });
    await table.createEntity({
      partitionKey: 'test',
      rowKey: 'test-0001',
      id: 'test',
      name: 'test-entity',
      description: 'Hello Test!',
      worker: 'local',
      runbook: 'check_sys.sh',
      oncall: 'false',
      tags: 'terraform,test',
      require_approval: 'true',
    });
  });
  afterAll(async () => {
    await t.storage.clients.table(originalTable).deleteTable();
    await t.cleanup();
  });

  it('reads the original RunbookSchemas table and writes a file that validates and imports', async () => {
    const out = path.join(dir, 'from-table.json');
    const res = await cloudo(['migrate', connectionString, '--table', originalTable, '-o', out]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`migrated 3 of 3 schemas from table ${originalTable} to ${out}`);
    expect(res.stderr).toContain(
      'row RunbookSchema/ui-restart oncall: "" became false, as the original read an empty flag',
    );
    expect(res.stderr).toContain('row test/test-0001 require_approval: "true" became true: a boolean here');
    expect(res.stderr).toMatch(/row RunbookSchema\/ui-restart worker: "aks weu" became "aks-weu"/);
    expect(res.stderr).toContain('row RunbookSchema/ui-restart severity: "Sev2" dropped');
    expect(res.stderr).toContain('(every row) Timestamp: dropped: table metadata');
    // the account key is in the connection string: never echoed
    expect(res.stderr).not.toContain('AccountKey');

    const validated = await cloudo(['schemas', 'validate', out]);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain('valid, 3 schemas in 3 partitions');
    expect(validated.stdout).not.toMatch(/warning/);

    const imported = await cloudo(['schemas', 'import', out], t.env);
    expect(imported.code).toBe(0);
    expect(await t.storage.schemas.get('ui-restart')).toMatchObject({
      worker: 'aks-weu',
      oncall: false,
      requireApproval: true,
      tags: ['ui', 'aks'],
      runArgs: '--namespace default',
    });
    expect(await t.storage.schemas.get('test')).toMatchObject({ requireApproval: true, partitionKey: 'test' });
  });

  it('writes to stdout without -o, the account of its changes on stderr', async () => {
    const res = await cloudo(['migrate', connectionString, '--table', originalTable]);
    expect(res.code).toBe(0);
    const file = JSON.parse(res.stdout) as { partition_key: string }[];
    expect(file.map((p) => p.partition_key)).toEqual(['RunbookSchema', 'generic', 'test']);
    expect(res.stderr).toContain('to stdout');
  });

  it('says so when the table does not exist, and writes nothing', async () => {
    const out = path.join(dir, 'none.json');
    const res = await cloudo(['migrate', connectionString, '--table', 'NoSuchTable', '-o', out]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('table NoSuchTable does not exist in that storage account');
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it('migrates an export of the table’s rows, leaving out the row it cannot take and exiting 1', async () => {
    const out = path.join(dir, 'from-rows.json');
    const res = await cloudo(['migrate', ROWS, '-o', out]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`migrated 4 of 5 schemas from ${ROWS} to ${out}`);
    expect(res.stderr).toMatch(/1 left out[^\n]*\n {2}row RunbookSchema\/escape: runbook: [^\n]*"\.\." segment/);
    const validated = await cloudo(['schemas', 'validate', out]);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain('valid, 4 schemas');
  });

  it('migrates a schemas file of the original, the seed README example included', async () => {
    const res = await cloudo(['migrate', path.resolve('test/fixtures/schemas/original-readme-example.json')]);
    expect(res.code).toBe(0);
    const out = path.join(dir, 'readme.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(out, res.stdout));
    const validated = await cloudo(['schemas', 'validate', out]);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain('valid, 4 schemas in 3 partitions');
  });

  it('refuses a file that is neither, and prints usage without a source', async () => {
    const res = await cloudo(['migrate', path.resolve('package.json')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/neither a schemas file .* nor table rows/);
    expect((await cloudo(['migrate'])).code).toBe(2);
  });
});
