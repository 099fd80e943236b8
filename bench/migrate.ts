/**
 * What moving from the original ClouDO costs, on an in-memory Azurite:
 *
 *   npm run bench:migrate
 *
 * 1. `cloudo migrate <connection string>` of 500 rows written as the original wrote them (random RowKeys,
 *    `oncall: ""`, `severity`, comma-separated tags), against one bare listing of the same table;
 * 2. validating a 500-entry schemas file of the original with 5 broken entries (each error reported, the
 *    rest kept), against the same file with every entry valid.
 * Each figure is the median of 5 rounds.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { migrateSchemas } from '../src/cli/migrate-command.js';
import { parseSchemaEntries } from '../src/core/runbook-schema.js';
import { startAzurite } from '../src/local/azurite.js';
import { figure, median } from './report.js';

const COUNT = 500;
const BROKEN = 5;
const ROUNDS = 5;
const ms = (v: number) => `${v.toFixed(1)} ms`;

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function originalRow(i: number) {
  return {
    partitionKey: 'RunbookSchema',
    rowKey: randomUUID(),
    id: `runbook-${i}`,
    name: `runbook ${i}`,
    description: 'restarts what the alert names',
    runbook: 'check_sys.sh',
    run_args: '--dry-run',
    worker: i % 3 === 0 ? 'aks weu' : 'Runbook',
    oncall: i % 2 === 0 ? 'true' : '',
    require_approval: 'false',
    severity: 'Sev2',
    monitor_condition: 'Fired',
    tags: 'terraform,ops',
  };
}

function originalFile(broken: number): string {
  const entity = Array.from({ length: COUNT }, (_, i) => {
    const { partitionKey: _p, rowKey: _r, ...row } = originalRow(i);
    return { ...row, worker: 'Runbook', run_args: i < broken ? "'unterminated" : row.run_args };
  });
  return JSON.stringify([{ partition_key: 'RunbookSchema', entity }]);
}

async function main() {
  const azurite = await startAzurite();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-bench-migrate-'));
  const results = { migrate: [] as number[], bareList: [] as number[], partial: [] as number[], valid: [] as number[] };
  let summary = '';
  try {
    const table = `RunbookSchemas${randomBytes(3).toString('hex')}`;
    const client = TableClient.fromConnectionString(azurite.connectionString, table, {
      allowInsecureConnection: true,
    });
    await client.createTable();
    for (let i = 0; i < COUNT; i++) await client.createEntity(originalRow(i));
    const partialText = originalFile(BROKEN);
    const validText = originalFile(0);
    for (let round = 0; round < ROUNDS; round++) {
      const output = path.join(dir, `schemas-${round}.json`);
      let stderr = '';
      const io = {
        stdout: () => {},
        stderr: (t: string) => {
          stderr = t;
        },
        readStdin: async () => '',
      };
      results.migrate.push(await time(() => migrateSchemas(azurite.connectionString, { table, output }, io)));
      results.bareList.push(
        await time(async () => {
          for await (const _ of client.listEntities()) {
            // read every row, as migrate does
          }
        }),
      );
      const migrated = parseSchemaEntries(await readFile(output, 'utf8'));
      summary = `${stderr.trim().split('\n').at(-1)}; the file validates with ${migrated.errors.length} errors`;
      results.partial.push(await time(() => parseSchemaEntries(partialText)));
      results.valid.push(await time(() => parseSchemaEntries(validText)));
    }
    const partial = parseSchemaEntries(partialText);
    const m = median(results.migrate);
    const b = median(results.bareList);
    const p = median(results.partial);
    const v = median(results.valid);
    console.log(`cloudo migrate, ${COUNT} original rows: ${ms(m)} vs bare listing ${ms(b)} (${(m / b).toFixed(2)}x)`);
    console.log(`  ${summary}`);
    figure({
      id: 'migrate.rows',
      label: `cloudo migrate of ${COUNT} original rows`,
      value: m,
      unit: 'ms',
      baseline: { label: 'bare listing of the same table', value: b },
    });
    console.log(
      `validate ${COUNT} entries, ${BROKEN} broken: ${ms(p)} vs all valid ${ms(v)} (${(p / v).toFixed(2)}x); ` +
        `${partial.schemas.length} kept, ${partial.errors.length} errors reported`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await azurite.stop();
  }
}

await main();
