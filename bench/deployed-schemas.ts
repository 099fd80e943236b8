/**
 * What importing the deployment's schemas (CLOUDO_SCHEMAS_JSON) costs an app start, on an in-memory Azurite:
 *
 *   npm run bench:schemas
 *
 * 1. first start: 200 schemas written, against 200 bare table upserts of the same rows;
 * 2. every later start: nothing changed, against one bare listing of the 200 rows.
 * Each figure is the median of 5 rounds, each round on a fresh namespace.
 */
import { randomBytes } from 'node:crypto';
import { loadAppSettings } from '../src/core/settings.js';
import { DeployedSchemas } from '../src/functions/deployed-schemas.js';
import { startAzurite } from '../src/local/azurite.js';
import { createStorage } from '../src/storage/index.js';
import { figure, median } from './report.js';

const COUNT = 200;
const ROUNDS = 5;
const ms = (v: number) => `${v.toFixed(1)} ms`;

const schemasJson = JSON.stringify([
  {
    partition_key: 'bench',
    entity: Array.from({ length: COUNT }, (_, i) => ({
      id: `runbook-${i}`,
      name: `runbook ${i}`,
      description: 'restarts what the alert names',
      runbook: 'check_sys.sh',
      worker: 'Runbook',
      oncall: i % 2 === 0 ? 'true' : 'false',
      alert_rules: [`Rule${i}`],
    })),
  },
]);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function main() {
  const azurite = await startAzurite();
  const results = {
    first: [] as number[],
    bareUpserts: [] as number[],
    again: [] as number[],
    bareList: [] as number[],
  };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const env = {
        AzureWebJobsStorage: azurite.connectionString,
        CLOUDO_STORAGE_NAMESPACE: `b${randomBytes(4).toString('hex')}`,
        CLOUDO_ENV: 'development',
        CLOUDO_LOCAL_AUTH: 'off',
        CLOUDO_SCHEMAS_JSON: schemasJson,
      };
      const settings = loadAppSettings(env);
      const storage = createStorage(settings.storage);
      await storage.ensureResources();
      const noLog = () => {};

      results.first.push(await time(() => new DeployedSchemas({ settings, storage }).sync(noLog)));
      // a later start: a new process, same content
      results.again.push(await time(() => new DeployedSchemas({ settings, storage }).sync(noLog)));

      const bare = storage.clients.table(`${settings.storage.namespace}BareRows`);
      await bare.createTable();
      results.bareUpserts.push(
        await time(async () => {
          for (let i = 0; i < COUNT; i++) {
            await bare.upsertEntity({ partitionKey: 'bench', rowKey: `runbook-${i}`, oncall: true }, 'Replace');
          }
        }),
      );
      results.bareList.push(
        await time(async () => {
          for await (const _ of bare.listEntities()) {
            // read every row, as the import's comparison does
          }
        }),
      );
    }
  } finally {
    await azurite.stop();
  }
  const first = median(results.first);
  const again = median(results.again);
  console.log(`first start, ${COUNT} schemas written:  ${ms(first)}`);
  console.log(`  ${COUNT} bare upserts:                ${ms(median(results.bareUpserts))}`);
  console.log(`  ratio:                            ${(first / median(results.bareUpserts)).toFixed(2)} x`);
  console.log(`later start, nothing to change:   ${ms(again)}`);
  console.log(`  bare listing of ${COUNT} rows:        ${ms(median(results.bareList))}`);
  console.log(`  ratio:                            ${(again / median(results.bareList)).toFixed(2)} x`);
  figure({
    id: 'schemas.first-start',
    label: `deployed schemas, first start (${COUNT} written)`,
    value: first,
    unit: 'ms',
    baseline: { label: `${COUNT} bare upserts`, value: median(results.bareUpserts) },
  });
  figure({
    id: 'schemas.later-start',
    label: `deployed schemas, later start (${COUNT}, nothing to change)`,
    value: again,
    unit: 'ms',
    baseline: { label: `bare listing of ${COUNT} rows`, value: median(results.bareList) },
  });
}

await main();
