/**
 * What retention costs Housekeeping, on an in-memory Azurite:
 *
 *   npm run bench:retention                   5000 old ended runs, 2000 old audit entries
 *   BENCH_RUNS=20000 npm run bench:retention
 *
 * 1. A backlog: BENCH_RUNS ended runs past the retention (spread over 30 days, each with a log; one in five
 *    an alert run with its alert blob, request payload, delivery key and ledger entry), BENCH_AUDIT audit
 *    entries past theirs, and 1000 recent runs that stay. Ticks of the default batch (500) run until
 *    nothing is left: runs purged per second, time and requests per tick.
 *    Baseline, same run: Azurite's own cost of deleting 500 blobs of the same container one request
 *    each, 25 at a time (its in-memory blob store slows down as a container grows, and bounds the purge).
 * 2. A tick with nothing to purge: its requests, by table (counted by an HTTP proxy in front of Azurite's
 *    table and blob endpoints), and its time against one bare top-1 query of Executions (baseline, same
 *    run). Azurite scans its tables in memory; Azure serves the same query as one key range.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliveryKey } from '../src/core/alert-delivery.js';
import { planRun } from '../src/core/run-plan.js';
import type { RetentionSettings } from '../src/core/settings.js';
import { azuriteConnectionString, startAzurite } from '../src/local/azurite.js';
import { applyRetention } from '../src/retention/index.js';
import type { Storage } from '../src/storage/index.js';
import { createStorage } from '../src/storage/index.js';
import { testAlert } from '../test/support/alerts.js';
import { HTTP_TRIGGER, testSchema } from '../test/support/schemas.js';
import { inParallel } from './in-parallel.js';
import { figure, median } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5000);
const AUDIT = Number(process.env.BENCH_AUDIT ?? 2000);
const RECENT = 1000;
const DAY = 86_400_000;
const SETTINGS: RetentionSettings = { runDays: 90, auditDays: 365, deadWorkerMs: DAY, batchSize: 500 };

/** An HTTP proxy to `port` that counts requests by method and resource (`GET benchExecutions()`). */
async function countingProxy(port: number) {
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const resource = decodeURIComponent(req.url ?? '')
      .split('?')[0]
      ?.split('/')[2]
      ?.replace(/\(.*\)$/, '()');
    const key = `${req.method} ${resource}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
      (answer: IncomingMessage) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function seed(storage: Storage, now: number) {
  const schema = testSchema({ id: 'bench', concurrency: 'parallel' });
  await inParallel(RUNS, 50, async (i) => {
    const at = new Date(now - (100 + (i / RUNS) * 30) * DAY);
    const alert = i % 5 === 0 ? testAlert({ alertId: `/alerts/${i}` }) : null;
    const planned = planRun(schema, alert ? { ...HTTP_TRIGGER, source: 'alert' } : HTTP_TRIGGER, at, undefined, alert);
    const { execId } = planned.execution;
    await storage.executions.create({ ...planned.execution, status: 'succeeded', finishedAt: at.toISOString() });
    await storage.logs.create(execId);
    await storage.logs.append(execId, Buffer.from('a line of output\n'.repeat(20)));
    if (alert) {
      const requestId = await storage.alertPayloads.saveRequest({ alerts: [{ labels: { alertname: 'x' } }] });
      await storage.alertPayloads.save(execId, { alert, requestId });
      await storage.alertDeliveries.claim(schema.id, deliveryKey(alert), execId, at, 600_000);
      await storage.notifications.record(execId, 'slack.result', {
        status: 'sent',
        ref: '1.2',
        reason: null,
        at: at.toISOString(),
      });
    }
  });
  await inParallel(RECENT, 50, (i) =>
    storage.executions.create({ ...planRun(schema, HTTP_TRIGGER, new Date(now - (i % 80) * DAY)).execution }),
  );
  await inParallel(AUDIT, 50, (i) =>
    storage.audit.record({
      at: new Date(now - (400 + (i / AUDIT) * 30) * DAY).toISOString(),
      action: 'trigger',
      actorKind: 'token',
      actorId: 'bench',
      from: '127.0.0.1',
      target: `run-${i}`,
      details: {},
    }),
  );
}

async function main() {
  const azurite = await startAzurite();
  const tables = await countingProxy(azurite.ports.table);
  const blobs = await countingProxy(azurite.ports.blob);
  try {
    const settings = (connectionString: string) => ({
      connection: { kind: 'connection-string' as const, connectionString },
      namespace: 'bench',
    });
    const direct = createStorage(settings(azurite.connectionString));
    await direct.ensureResources();
    const storage = createStorage(
      settings(azuriteConnectionString({ table: tables.port, blob: blobs.port, queue: azurite.ports.queue })),
    );
    const now = Date.now();
    const seeding = performance.now();
    await seed(direct, now);
    console.log(
      `seeded ${RUNS} old runs, ${RECENT} recent runs, ${AUDIT} old audit entries in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );

    const logs = direct.clients.container(direct.names.logsContainer);
    const spare = Array.from({ length: SETTINGS.batchSize }, (_, i) => logs.getAppendBlobClient(`baseline-${i}.log`));
    await inParallel(spare.length, 50, (i) => spare[i]?.create() ?? Promise.resolve());
    const b0 = performance.now();
    await inParallel(spare.length, 25, (i) => spare[i]?.delete() ?? Promise.resolve());
    const bareDeletes = performance.now() - b0;

    const ticks: { ms: number; runs: number; audit: number; requests: number }[] = [];
    const start = performance.now();
    for (;;) {
      const before = tables.total() + blobs.total();
      const t0 = performance.now();
      const report = await applyRetention({ storage, settings: SETTINGS, now: new Date(now) });
      ticks.push({
        ms: performance.now() - t0,
        runs: report.runs,
        audit: report.auditEntries,
        requests: tables.total() + blobs.total() - before,
      });
      if (report.runs === 0 && report.auditEntries === 0) break;
    }
    const elapsed = (performance.now() - start) / 1000;
    const working = ticks.filter((t) => t.runs > 0);
    const purged = working.reduce((n, t) => n + t.runs, 0);
    const left = (await direct.executions.list({ limit: 1000 })).executions.length;
    if (purged !== RUNS || left !== RECENT) throw new Error(`purged ${purged} runs and kept ${left}`);
    console.log(`backlog of ${RUNS} runs + ${AUDIT} audit entries, batch ${SETTINGS.batchSize}:`);
    console.log(`  ${working.length} ticks, ${elapsed.toFixed(1)} s in all → ${(purged / elapsed).toFixed(0)} runs/s`);
    console.log(
      `  a full tick (500 runs): median ${median(working.map((t) => t.ms)).toFixed(0)} ms, ` +
        `${median(working.map((t) => t.requests))} requests (${(median(working.map((t) => t.requests)) / SETTINGS.batchSize).toFixed(1)} per run)`,
    );

    console.log(
      `  baseline: deleting ${spare.length} blobs of the same container, one request each: ${bareDeletes.toFixed(0)} ms`,
    );

    const idle: number[] = [];
    tables.counts.clear();
    blobs.counts.clear();
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await applyRetention({ storage, settings: SETTINGS, now: new Date(now) });
      idle.push(performance.now() - t0);
    }
    const baseline: number[] = [];
    const executions = direct.clients.table(direct.names.executionsTable);
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await executions.listEntities().byPage({ maxPageSize: 1 }).next();
      baseline.push(performance.now() - t0);
    }
    figure({
      id: 'retention.runs-per-s',
      label: `retention purge of a ${RUNS}-run backlog`,
      value: purged / elapsed,
      unit: 'runs/s',
    });
    figure({
      id: 'retention.idle-tick',
      label: 'retention tick with nothing to purge (median)',
      value: median(idle),
      unit: 'ms',
      baseline: { label: 'bare top-1 query of Executions', value: median(baseline) },
    });
    console.log(`a tick with nothing to purge (median of 10, ${RECENT} runs kept):`);
    console.log(
      `  ${median(idle).toFixed(1)} ms; requests per tick: ${[...tables.counts, ...blobs.counts].map(([k, n]) => `${k} × ${n / 10}`).join(', ')}`,
    );
    console.log(`  one bare top-1 query of Executions: ${median(baseline).toFixed(1)} ms (baseline, same run)`);
  } finally {
    await Promise.all([tables.close(), blobs.close()]);
    await azurite.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
