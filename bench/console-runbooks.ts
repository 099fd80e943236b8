/**
 * What finding each schema's last run costs the runbook catalogue, on in-memory Azurite: one bounded
 * query per schema (in parallel, 16 at a time) against one scan of the newest runs (what the page does).
 *
 *   npm run bench:runbooks                          200 schemas, 20 000 runs over 30 days
 *   BENCH_SCHEMAS=500 BENCH_RUNS=100000 npm run bench:runbooks
 *
 * A quarter of the schemas never ran: the worst case of a per-schema query, which reads until the table
 * ends. Each approach is timed over a few rounds (median, slowest) with the table requests it made.
 */

import type { TransactionAction } from '@azure/data-tables';
import type { Execution } from '../src/core/execution.js';
import { executionKeys } from '../src/core/execution.js';
import { planRun } from '../src/core/run-plan.js';
import { loadAppSettings } from '../src/core/settings.js';
import { readLastRuns } from '../src/functions/http/last-runs.js';
import { runbooksPageFunction } from '../src/functions/runbooks.js';
import { createAppServices } from '../src/functions/services.js';
import { startAzurite } from '../src/local/azurite.js';
import { EXECUTION_ROWS } from '../src/storage/execution-repository.js';
import { callHttp } from '../test/support/functions.js';
import { HTTP_TRIGGER, testSchema } from '../test/support/schemas.js';
import { inParallel } from './in-parallel.js';
import { median } from './report.js';

const SCHEMAS = Number(process.env.BENCH_SCHEMAS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 20_000);
const DAYS = 30;
const ROUNDS = 5;
const DAY_MS = 86_400_000;
const QUERY_WIDTH = 16;

async function main() {
  const azurite = await startAzurite();
  try {
    const connectionString = azurite.connectionString;
    const services = createAppServices(
      loadAppSettings({ AzureWebJobsStorage: connectionString, CLOUDO_ENV: 'development', CLOUDO_LOCAL_AUTH: 'off' }),
    );
    const { storage } = services;
    await storage.ensureResources();
    const schemas = Array.from({ length: SCHEMAS }, (_, i) => testSchema({ id: `schema-${i}` }));
    await storage.schemas.importSchemas(schemas);
    // runs of the first three quarters of the schemas only: the others never ran
    const ran = Math.ceil((SCHEMAS * 3) / 4);
    const nowMs = Date.now();
    const byPartition = new Map<string, Execution[]>();
    for (let i = 0; i < RUNS; i++) {
      const schema = schemas[(i * 7) % ran] ?? schemas[0];
      if (!schema) throw new Error('no schema');
      const atMs = nowMs - DAYS * DAY_MS + Math.floor((i / RUNS) * DAYS * DAY_MS);
      const run: Execution = { ...planRun(schema, HTTP_TRIGGER, new Date(atMs)).execution, status: 'succeeded' };
      const { partitionKey } = executionKeys(run.execId);
      byPartition.set(partitionKey, [...(byPartition.get(partitionKey) ?? []), run]);
    }
    const table = storage.clients.table(storage.names.executionsTable);
    const batches = [...byPartition.values()].flatMap((runs) =>
      Array.from({ length: Math.ceil(runs.length / 100) }, (_, b) => runs.slice(b * 100, b * 100 + 100)),
    );
    await inParallel(batches.length, 8, async (b) => {
      const actions = (batches[b] ?? []).map(
        (run): TransactionAction => [
          'create',
          EXECUTION_ROWS.toEntity(run) as { partitionKey: string; rowKey: string },
        ],
      );
      await table.submitTransaction(actions);
    });
    console.log(`${SCHEMAS} schemas (${SCHEMAS - ran} never ran), ${RUNS} runs over ${DAYS} days`);

    const time = async (name: string, fn: () => Promise<string>) => {
      const times: number[] = [];
      let summary = '';
      for (let r = 0; r < ROUNDS; r++) {
        const t0 = performance.now();
        summary = await fn();
        times.push(performance.now() - t0);
      }
      console.log(
        `  ${name.padEnd(40)} median ${median(times).toFixed(1).padStart(8)} ms  max ${Math.max(...times)
          .toFixed(1)
          .padStart(8)} ms  ${summary}`,
      );
    };

    await time(`a query per schema (${QUERY_WIDTH} at a time)`, async () => {
      let found = 0;
      await inParallel(schemas.length, QUERY_WIDTH, async (i) => {
        const page = await storage.executions.list({ schemaId: schemas[i]?.id, limit: 1 });
        if (page.executions.length > 0) found += 1;
      });
      return `${found} found, ${SCHEMAS}+ requests`;
    });
    await time('one scan of the newest runs', async () => {
      const last = await readLastRuns(storage, Date.now());
      const back = ((Date.now() - last.sinceMs) / 3_600_000).toFixed(1);
      return `${last.bySchema.size} found, ≤ 5 requests, reaches back ${back} h`;
    });
    const page = runbooksPageFunction(() => services);
    await time('GET /api/console/runbooks (whole page)', async () => {
      const res = await callHttp(page, { url: 'http://bench/api/console/runbooks' });
      if (res.status !== 200) throw new Error(`page: ${res.status} ${res.text}`);
      return `${(res.text.length / 1024).toFixed(0)} KiB of HTML`;
    });
  } finally {
    await azurite.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
