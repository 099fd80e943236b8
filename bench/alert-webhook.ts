/**
 * Alert webhook on the real local stack (in-memory Azurite, HTTP host, worker process):
 *
 *   npx tsx bench/alert-webhook.ts            (BENCH_ALERTS=300 to change the count)
 *
 * 1. answer time of POST /api/Trigger with a common-schema metric alert, each a new alert instance,
 *    p50/p99 — what an action group waits for (it retries on timeouts and then mutes the endpoint);
 *    and the same for a capability no worker serves, where no runbook shares the cores meanwhile;
 * 2. a storm: 100 concurrent deliveries of one alert → how many runs start (must be exactly 1);
 * 3. parser throughput: every fixture through parseAlert, in-process.
 * Baseline in the same run: GET /api/healthz (an HTTP round trip plus three storage pings).
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAlert } from '../src/alerts/index.js';
import { createStorage } from '../src/storage/index.js';
import { startStackIn } from '../test/support/local-stack.js';
import { testSchema } from '../test/support/schemas.js';
import { figure, percentile as pct } from './report.js';

const count = Number(process.env.BENCH_ALERTS ?? 300);
const FIXTURES = 'test/fixtures/alerts';

const ms = (v: number) => `${v.toFixed(1)} ms`;

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-bench-alerts-'));
  const entity = { id: 'vm-alert', name: 'vm alert', runbook: 'check_sys.sh', worker: 'Runbook', oncall: false };
  const stack = await startStackIn(dir, [entity]);
  const fixture = JSON.parse(await readFile(path.join(FIXTURES, 'cs_metric_static_resolved_vm_docs.json'), 'utf8'));
  const post = async (alertId: string, schemaId = 'vm-alert') => {
    const body = JSON.stringify({
      ...fixture,
      data: { ...fixture.data, essentials: { ...fixture.data.essentials, alertId } },
    });
    const t0 = performance.now();
    const res = await fetch(`${stack.url}/api/Trigger?id=${schemaId}`, { method: 'POST', body });
    const json = (await res.json()) as { runs: { status: string; exec_id: string }[] };
    return { ms: performance.now() - t0, status: res.status, runs: json.runs };
  };
  try {
    for (let i = 0; i < 10; i++) await post(`warm-${i}`);
    const answers: number[] = [];
    for (let i = 0; i < count; i++) answers.push((await post(`alert-${i}`)).ms);
    const health: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await (await fetch(`${stack.url}/api/healthz`)).text();
      health.push(performance.now() - t0);
    }
    // the same alerts for a capability no worker serves: the same answer path, but no runbook (and no
    // worker claiming, logging, recording, announcing) shares the two cores meanwhile
    const storage = createStorage({
      connection: { kind: 'connection-string', connectionString: stack.azurite.connectionString },
      namespace: '',
    });
    await storage.schemas.importSchemas([testSchema({ id: 'vm-alert-unserved', worker: 'Unserved', oncall: false })]);
    for (let i = 0; i < 10; i++) await post(`warm-unserved-${i}`, 'vm-alert-unserved');
    const unserved: number[] = [];
    for (let i = 0; i < count; i++) unserved.push((await post(`unserved-${i}`, 'vm-alert-unserved')).ms);
    const storm = await Promise.all(Array.from({ length: 100 }, () => post('storm-1')));
    const started = storm.flatMap((r) => r.runs).filter((r) => r.status === 'started');
    const distinct = new Set(storm.flatMap((r) => r.runs.map((x) => x.exec_id)));

    const payloads = await Promise.all(
      (await readdir(FIXTURES))
        .filter((f) => f.endsWith('.json'))
        .map(async (f) => readFile(path.join(FIXTURES, f), 'utf8')),
    );
    const parsed = payloads.map((p) => JSON.parse(p) as unknown);
    const iterations = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) parseAlert(parsed[i % parsed.length]);
    const perSecond = iterations / ((performance.now() - t0) / 1000);
    // baseline: JSON.parse of the same payloads, the least any handler of a body does with it
    const t1 = performance.now();
    for (let i = 0; i < iterations; i++) JSON.parse(payloads[i % payloads.length] ?? '{}');
    const jsonPerSecond = iterations / ((performance.now() - t1) / 1000);

    console.log(`webhook answer over ${count} alerts: p50 ${ms(pct(answers, 50))}  p99 ${ms(pct(answers, 99))}`);
    console.log(
      `baseline GET /api/healthz: p50 ${ms(pct(health, 50))}  p99 ${ms(pct(health, 99))}` +
        `  → webhook = ${(pct(answers, 50) / pct(health, 50)).toFixed(2)} × p50`,
    );
    console.log(
      `the same alerts with no runbook running meanwhile: p50 ${ms(pct(unserved, 50))}  p99 ${ms(pct(unserved, 99))}`,
    );
    console.log(
      `storm of 100 concurrent deliveries of one alert: ${started.length} run started, ${distinct.size} distinct exec_id`,
    );
    console.log(`parser: ${Math.round(perSecond)} payloads/s over ${parsed.length} fixtures (${iterations} parses)`);
    console.log(`  baseline JSON.parse of the same payloads: ${Math.round(jsonPerSecond)} payloads/s`);

    const health50 = { label: 'GET /api/healthz p50', value: pct(health, 50) };
    const health99 = { label: 'GET /api/healthz p99', value: pct(health, 99) };
    figure({
      id: 'webhook.p50',
      label: 'alert webhook answer p50',
      value: pct(answers, 50),
      unit: 'ms',
      baseline: health50,
    });
    figure({
      id: 'webhook.p99',
      label: 'alert webhook answer p99',
      value: pct(answers, 99),
      unit: 'ms',
      baseline: health99,
      goal: { op: '<=', value: 100 },
    });
    figure({
      id: 'webhook.p99.idle-cores',
      label: 'alert webhook answer p99, no runbook running meanwhile (a capability no worker serves)',
      value: pct(unserved, 99),
      unit: 'ms',
      baseline: { label: 'the same with each alert’s runbook running', value: pct(answers, 99) },
    });
    figure({
      id: 'webhook.storm-runs',
      label: 'runs started by 100 concurrent deliveries of one alert',
      value: started.length,
      unit: 'runs',
      goal: { op: '<=', value: 1 },
    });
    figure({
      id: 'parse.payloads-per-s',
      label: `alert parser throughput (${parsed.length} fixtures)`,
      value: perSecond,
      unit: 'payloads/s',
      baseline: { label: 'JSON.parse of the same payloads', value: jsonPerSecond },
    });
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
