/**
 * Server time of the executions list (API and the console's HTML page) and the statistics at 100 000
 * runs, on in-memory Azurite: the figures the console's "< 300 ms per page" goal is checked against.
 *
 *   npm run bench:executions                 100 000 runs over 30 days
 *   BENCH_RUNS=20000 npm run bench:executions
 *
 * Runs are seeded straight into the Executions table, 100 to a batch transaction (one day partition
 * each), then each request is timed in-process through the function's handler (parse, storage, JSON),
 * the median and the slowest of a few rounds. Stats and the dashboard page are timed cold (cache cleared
 * by a new function instance each round) and warm; the first cold round over settled days also writes
 * their day digests (once per day, ever), which later rounds read instead of the rows.
 */

import type { TransactionAction } from '@azure/data-tables';
import type { Execution, ExecutionStatus } from '../src/core/execution.js';
import { executionKeys } from '../src/core/execution.js';
import { planRun } from '../src/core/run-plan.js';
import { loadAppSettings } from '../src/core/settings.js';
import { dashboardPageFunction } from '../src/functions/console-dashboard.js';
import type { HttpFunctionDefinition } from '../src/functions/definitions.js';
import { listExecutionsFunction } from '../src/functions/executions.js';
import { executionsPageFunction } from '../src/functions/logs.js';
import { createAppServices } from '../src/functions/services.js';
import { statsFunction } from '../src/functions/stats.js';
import { startAzurite } from '../src/local/azurite.js';
import { EXECUTION_ROWS } from '../src/storage/execution-repository.js';
import { createStorage } from '../src/storage/index.js';
import { callHttp } from '../test/support/functions.js';
import { HTTP_TRIGGER, testSchema } from '../test/support/schemas.js';
import { inParallel } from './in-parallel.js';
import { figure, isQuick, median } from './report.js';

// the quick run (`npm run bench -- --quick`) seeds a tenth: seeding 100 000 runs alone takes ~30 s
const RUNS = Number(process.env.BENCH_RUNS ?? (isQuick() ? 10_000 : 100_000));
const DAYS = 30;
const ROUNDS = isQuick() ? 3 : 7;
const DAY_MS = 86_400_000;
const GOAL_MS = 300;

/** A deterministic mix: 50 schemas on 3 workers, a third alert runs on 200 VMs, mostly successes. */
function benchRun(i: number, atMs: number): Execution {
  const schema = testSchema({ id: `schema-${i % 50}`, worker: ['Runbook', 'Aks', 'Python'][i % 3] ?? 'Runbook' });
  const { execution } = planRun(schema, HTTP_TRIGGER, new Date(atMs));
  const roll = (i * 7919) % 100;
  const status: ExecutionStatus =
    roll < 80 ? 'succeeded' : roll < 90 ? 'failed' : roll < 93 ? 'timed_out' : roll < 95 ? 'error' : 'cancelled';
  const isAlert = i % 3 === 0;
  return {
    ...execution,
    status,
    startedAt: new Date(atMs + 500).toISOString(),
    finishedAt: new Date(atMs + 500 + ((i * 104_729) % 120_000)).toISOString(),
    exitCode: status === 'succeeded' ? 0 : 1,
    trigger: { ...execution.trigger, source: isAlert ? 'alert' : 'http' },
    alertRule: isAlert ? `rule-${i % 40}` : null,
    resourceId: isAlert
      ? `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-${String(i % 200).padStart(4, '0')}`
      : null,
  };
}

async function main() {
  const azurite = await startAzurite();
  try {
    const connection = { kind: 'connection-string' as const, connectionString: azurite.connectionString };
    const storage = createStorage({ connection, namespace: '' });
    await storage.ensureResources();
    const table = storage.clients.table(storage.names.executionsTable);

    const nowMs = Date.now();
    const startMs = nowMs - DAYS * DAY_MS;
    const byPartition = new Map<string, Execution[]>();
    for (let i = 0; i < RUNS; i++) {
      const run = benchRun(i, startMs + Math.floor((i / RUNS) * DAYS * DAY_MS));
      const { partitionKey } = executionKeys(run.execId);
      byPartition.set(partitionKey, [...(byPartition.get(partitionKey) ?? []), run]);
    }
    const batches = [...byPartition.values()].flatMap((runs) =>
      Array.from({ length: Math.ceil(runs.length / 100) }, (_, b) => runs.slice(b * 100, b * 100 + 100)),
    );
    const seedStart = performance.now();
    await inParallel(batches.length, 8, async (b) => {
      const actions = (batches[b] ?? []).map(
        (run): TransactionAction => [
          'create',
          EXECUTION_ROWS.toEntity(run) as { partitionKey: string; rowKey: string },
        ],
      );
      await table.submitTransaction(actions);
    });
    const seedS = (performance.now() - seedStart) / 1000;
    console.log(`seeded ${RUNS} runs over ${DAYS} days in ${batches.length} transactions, ${seedS.toFixed(1)} s`);

    const services = createAppServices(
      loadAppSettings({
        AzureWebJobsStorage: azurite.connectionString,
        CLOUDO_ENV: 'development',
        CLOUDO_LOCAL_AUTH: 'off',
      }),
    );
    const provider = () => services;
    const list = listExecutionsFunction(provider);
    const iso = (ms: number) => new Date(ms).toISOString();

    const time = async (name: string, fn: () => HttpFunctionDefinition, query: Record<string, string>) => {
      const times: number[] = [];
      let summary = '';
      for (let r = 0; r < ROUNDS; r++) {
        const definition = fn();
        const t0 = performance.now();
        const res = await callHttp(definition, { url: 'http://bench/api/x', query });
        times.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.text}`);
        const body = (res.json ?? {}) as {
          executions?: unknown[];
          scanned_rows?: number;
          runs?: number;
          truncated?: boolean;
        };
        // the dashboard's page: its total; the console's runs page: how many rows and its weight
        const page = /<dd id="total-runs">(\d+)<\/dd>/.exec(res.text);
        summary = page
          ? `${page[1]} runs, ${(res.text.length / 1024).toFixed(0)} KiB page`
          : res.json === undefined
            ? `${(res.text.match(/<tr>\n<td><a href="\/api\/logs\//g) ?? []).length} rows, ${(Buffer.byteLength(res.text) / 1024).toFixed(1)} KiB HTML`
            : body.executions
              ? `${body.executions.length} runs, ${body.scanned_rows} rows read`
              : `${body.runs} runs${body.truncated ? ' (truncated)' : ''}`;
      }
      const p50 = median(times);
      const max = Math.max(...times);
      const verdict = p50 < GOAL_MS ? 'ok' : `OVER ${GOAL_MS} ms`;
      // the first round of a range over settled days also writes their digests: shown apart
      console.log(
        `  ${name.padEnd(34)} median ${p50.toFixed(1).padStart(7)} ms  max ${max.toFixed(1).padStart(7)} ms  first ${(times[0] ?? 0).toFixed(1).padStart(7)} ms  ${summary}  ${verdict}`,
      );
      return p50;
    };
    // baseline: the bare table read of a first page (50 rows, no filter, no rendering), same rounds
    const bareTimes: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      await table.listEntities().byPage({ maxPageSize: 50 }).next();
      bareTimes.push(performance.now() - t0);
    }
    const bare = { label: 'bare table read of 50 rows', value: median(bareTimes) };
    console.log(`baseline: a bare table read of 50 rows, median ${bare.value.toFixed(1)} ms`);
    const runs = RUNS.toLocaleString('en-US');
    const pageFigure = (id: string, label: string, value: number) =>
      figure({ id, label, value, unit: 'ms', baseline: bare, goal: { op: '<=', value: GOAL_MS } });

    console.log(`server time per request (${ROUNDS} rounds; goal < ${GOAL_MS} ms per page):`);
    pageFigure(
      'executions.api.first-page',
      `GET /api/executions first page at ${runs} runs`,
      await time('first page (50)', () => list, {}),
    );
    await time('status=failed page', () => list, { status: 'failed' });
    await time('last-hour-of-day-12 time range', () => list, {
      from: iso(startMs + 12 * DAY_MS),
      to: iso(startMs + 12 * DAY_MS + 3_600_000),
    });
    await time('schema + trigger + 3-day range', () => list, {
      schema: 'schema-7',
      trigger: 'alert',
      from: iso(nowMs - 10 * DAY_MS),
      to: iso(nowMs - 7 * DAY_MS),
    });
    await time('q=vm-0042 (1000-row scan)', () => list, { q: 'vm-0042' });
    await time('q=schema-7 (dense matches)', () => list, { q: 'schema-7' });
    // the console's list: the same search plus the waiting runs and the workers, rendered as HTML
    const page = executionsPageFunction(provider);
    const logsFirst = await time('HTML /api/logs first page', () => page, {});
    pageFigure('executions.logs.first-page', `\`/api/logs\` first page at ${runs} runs (median)`, logsFirst);
    const logsFiltered = await time('HTML /api/logs status+schema+range', () => page, {
      status: 'failed',
      schema: 'schema-7',
      from: iso(nowMs - 10 * DAY_MS).slice(0, 16),
      to: iso(nowMs - 3 * DAY_MS).slice(0, 16),
    });
    pageFigure('executions.logs.filtered', `\`/api/logs\` status + schema + 7-day range at ${runs} runs`, logsFiltered);
    const logsSearch = await time('HTML /api/logs q=vm-0042', () => page, { q: 'vm-0042' });
    pageFigure('executions.logs.search', `\`/api/logs\` q search at ${runs} runs`, logsSearch);
    const cold = () => statsFunction(provider);
    const warm = statsFunction(provider);
    await time('stats 24 h, cold', cold, {});
    await time('stats 24 h, cached', () => warm, {});
    await time('stats 7 d, cold', cold, { from: iso(nowMs - 7 * DAY_MS), to: iso(nowMs) });
    await time('stats 30 d, cold', cold, { from: iso(startMs), to: iso(nowMs) });
    // the page: statistics, SVG and tables; a new function each round, so its 10 s cache never answers
    const dashboard = () => dashboardPageFunction(provider);
    await time('dashboard 24 h, cold', dashboard, { range: '24h' });
    await time('dashboard 7 d, cold', dashboard, { range: '7d' });
    await time('dashboard 30 d, cold', dashboard, { range: '30d' });
    await time('dashboard 30 d + schema, cold', dashboard, { range: '30d', schema: 'schema-7' });
  } finally {
    await azurite.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
