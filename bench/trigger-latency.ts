/**
 * Trigger → run claimed (`started_at − requested_at`) and → runbook process start, on the real local
 * stack (in-memory Azurite, HTTP host, worker process), twice in one run: with wake-up nudges (the
 * default) and with polling only, both at the default idle ceiling (CLOUDO_POLL_MAX_INTERVAL_MS, 1 s).
 *
 *   npm run bench:trigger              40 runs per mode, idle worker between runs (the README figure)
 *   BENCH_RUNS=100 npm run bench:trigger
 *
 * Between runs the worker is left idle long enough to back off to its ceiling, which is the case a user
 * meets. The baselines, measured in the same run on the same Azurite: one enqueue plus one receive (the
 * floor of any queue-based design), a bare receive loop with the same idle ceiling (the floor of any
 * design that only polls), and one bash spawn.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStackIn } from '../test/support/local-stack.js';
import { freePort } from '../test/support/ports.js';
import { figure, isQuick, percentile } from './report.js';

const runs = Number(process.env.BENCH_RUNS ?? (isQuick() ? 15 : 40));
// the backoff reaches a 1 s ceiling after ~1.6 s idle: gaps of 1.8-3.3 s meet it at every phase
const idleMs = Number(process.env.BENCH_IDLE_MS ?? 1_800);
const idleSpreadMs = 1_500;
const ceilingMs = Number(process.env.CLOUDO_POLL_MAX_INTERVAL_MS ?? 1_000);

function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { median: percentile(s, 50), p95: percentile(s, 95), min: s[0] ?? 0, max: s[s.length - 1] ?? 0 };
}
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const line = (label: string, values: number[]) => {
  const v = summary(values);
  return `  ${label.padEnd(34)} p50 ${fmt(v.median).padStart(9)}  p95 ${fmt(v.p95).padStart(9)}  min ${fmt(v.min).padStart(9)}  max ${fmt(v.max).padStart(9)}`;
};

interface Measured {
  /** started_at − requested_at, as the run records them. */
  readonly claimed: number[];
  /** Send of the trigger → the runbook's own first instruction. */
  readonly processStart: number[];
}

/**
 * One stack, `runs` triggers of an idle worker; `wake` false leaves runs to the worker's polling.
 * `runTokens`: the stack on a known port, so its worker fetches each run's federated token from the app
 * before spawning it (a default runbook identity is configured; no runbook exchanges it).
 */
async function measure(
  wake: boolean,
  runTokens = false,
): Promise<Measured & { connectionString: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-bench-'));
  stampFile = path.join(dir, 'stamps.log');
  await writeFile(stampFile, '');
  const stamp = {
    id: 'stamp',
    name: 'stamp',
    runbook: 'stamp.sh',
    run_args: stampFile,
    worker: 'Runbook',
    oncall: false,
  };
  const identity = { CLOUDO_RUNBOOK_CLIENT_ID: BENCH_CLIENT_ID, AZURE_TENANT_ID: BENCH_TENANT_ID };
  const stack = await startStackIn(dir, [stamp], {
    runbooksDir: 'bench/runbooks',
    env: { ...process.env, CLOUDO_LOG_FLUSH_INTERVAL_MS: '20', ...(runTokens ? identity : {}) },
    wake,
    port: runTokens ? await freePort() : 0,
  });
  // warm-up: first requests pay for connection set-up and module loading (and the app's first look at
  // Table Workers, where it finds the worker's address)
  for (let i = 0; i < 3; i++) await once(stack.url);
  const claimed: number[] = [];
  const processStart: number[] = [];
  for (let i = 0; i < runs; i++) {
    // random idle gaps: a fixed gap would phase-lock with the worker's backoff schedule
    await sleep(idleMs + Math.random() * idleSpreadMs);
    const r = await once(stack.url);
    claimed.push(r.claimedMs);
    processStart.push(r.processStartMs);
  }
  return { claimed, processStart, connectionString: stack.azurite.connectionString, stop: () => stack.stop() };
}

async function main() {
  const tokened = await measure(true, true);
  await tokened.stop();
  const woken = await measure(true);
  await woken.stop();
  const polled = await measure(false);
  try {
    // baseline 1: what a queue round trip costs on this Azurite (send, then receive as fast as possible)
    const baselineQueue = await queueRoundTrips(polled.connectionString, 20);
    // baseline 2: the floor of any design that only polls a Storage Queue with the same idle backoff: a
    // bare receive loop (25 ms doubling to the ceiling), same random idle gaps, send → receive
    const baselinePolled = await polledReceives(polled.connectionString, Math.min(runs, 30), ceilingMs);
    // baseline 3: spawning bash with the same script
    const baselineSpawn: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      spawnSync('bash', [
        'bench/runbooks/stamp.sh',
        path.join(os.tmpdir(), `cloudo-spawn-baseline-${process.pid}.log`),
      ]);
      baselineSpawn.push(performance.now() - t0);
    }

    const w = summary(woken.claimed);
    const p = summary(polled.claimed);
    const q = summary(baselineQueue);
    console.log(
      `trigger → run claimed (started_at − requested_at), ${runs} runs per mode, worker idle ${idleMs}-${idleMs + idleSpreadMs} ms before each, idle ceiling ${ceilingMs} ms:`,
    );
    console.log(line('with wake-up nudges', woken.claimed));
    console.log(line('polling only', polled.claimed));
    console.log('trigger sent → runbook process start:');
    console.log(line('with wake-up nudges', woken.processStart));
    console.log(line('polling only', polled.processStart));
    console.log(line('wake-up, run token fetched first', tokened.processStart));
    console.log('baselines in the same run:');
    console.log(line('queue send + receive', baselineQueue));
    console.log(line(`bare receive loop, ${ceilingMs} ms ceiling`, baselinePolled));
    console.log(line('bash spawn + exit', baselineSpawn));
    console.log(
      `  wake-up: p50 = ${(w.median / q.median).toFixed(2)} × a queue round trip; polling only: p50 = ${(p.median / q.median).toFixed(2)} ×`,
    );
    const pp = summary(baselinePolled);
    const ws = summary(woken.processStart);
    const ps = summary(polled.processStart);
    const queue = (label: string, value: number) => ({ label: `queue send + receive ${label}`, value });
    figure({
      id: 'trigger.claimed.p50',
      label: 'trigger → run claimed p50, idle worker, wake-up',
      value: w.median,
      unit: 'ms',
      baseline: queue('p50', q.median),
      goal: { op: '<=', value: 60 },
    });
    figure({
      id: 'trigger.claimed.p95',
      label: 'trigger → run claimed p95, idle worker, wake-up',
      value: w.p95,
      unit: 'ms',
      baseline: queue('p95', q.p95),
      goal: { op: '<=', value: 150 },
    });
    figure({
      id: 'trigger.claimed.polling.p50',
      label: `trigger → run claimed p50, polling only (${ceilingMs} ms ceiling)`,
      value: p.median,
      unit: 'ms',
      baseline: { label: `bare receive loop p50, same ceiling`, value: pp.median },
    });
    figure({
      id: 'trigger.process-start.p50',
      label: 'trigger → runbook process start p50, wake-up',
      value: ws.median,
      unit: 'ms',
      baseline: { label: 'the same, polling only', value: ps.median },
    });
    figure({
      id: 'trigger.process-start.run-token.p50',
      label: 'trigger → runbook process start p50, wake-up, run’s federated token fetched first',
      value: summary(tokened.processStart).median,
      unit: 'ms',
      baseline: { label: 'the same without run tokens', value: ws.median },
    });
  } finally {
    await polled.stop();
  }
}

let stampFile = '';
const BENCH_CLIENT_ID = 'bbbbbbbb-0000-4000-8000-000000000001';
const BENCH_TENANT_ID = 'bbbbbbbb-0000-4000-8000-000000000002';

/** One trigger: ms from its start to the claim (as the run records them), and to the runbook's own stamp. */
async function once(url: string): Promise<{ claimedMs: number; processStartMs: number }> {
  const sentUs = (performance.timeOrigin + performance.now()) * 1000;
  const res = await fetch(`${url}/api/Trigger?id=stamp`);
  const { exec_id: execId } = (await res.json()) as { exec_id: string };
  let processStartMs: number;
  for (;;) {
    const line = (await readFile(stampFile, 'utf8')).split('\n').find((l) => l.startsWith(`${execId} `));
    if (line) {
      processStartMs = (Number(line.split(' ')[1]) - sentUs) / 1000;
      break;
    }
    await sleep(5);
  }
  const run = (await (await fetch(`${url}/api/executions/${execId}`)).json()) as {
    requested_at: string;
    started_at: string;
  };
  return { claimedMs: Date.parse(run.started_at) - Date.parse(run.requested_at), processStartMs };
}

async function polledReceives(connectionString: string, count: number, ceiling: number) {
  const { QueueServiceClient } = await import('@azure/storage-queue');
  const queue = QueueServiceClient.fromConnectionString(connectionString).getQueueClient('bench-polled');
  await queue.createIfNotExists();
  let sentAt = 0;
  let stop = false;
  const out: number[] = [];
  const loop = (async () => {
    let delay = 0;
    while (!stop) {
      const got = await queue.receiveMessages({ numberOfMessages: 4 });
      for (const item of got.receivedMessageItems) {
        out.push(performance.now() - sentAt);
        await queue.deleteMessage(item.messageId, item.popReceipt);
      }
      delay = got.receivedMessageItems.length > 0 ? 0 : Math.min(ceiling, delay === 0 ? 25 : delay * 2);
      if (delay > 0) await sleep(delay);
    }
  })();
  for (let i = 0; i < count; i++) {
    await sleep(idleMs + Math.random() * idleSpreadMs);
    const before = out.length;
    sentAt = performance.now();
    await queue.sendMessage('x');
    while (out.length === before) await sleep(2);
  }
  stop = true;
  await loop;
  return out;
}

async function queueRoundTrips(connectionString: string, count: number): Promise<number[]> {
  const { QueueServiceClient } = await import('@azure/storage-queue');
  const queue = QueueServiceClient.fromConnectionString(connectionString).getQueueClient('bench-baseline');
  await queue.createIfNotExists();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await queue.sendMessage('x');
    for (;;) {
      const got = await queue.receiveMessages();
      const item = got.receivedMessageItems[0];
      if (item) {
        out.push(performance.now() - t0);
        await queue.deleteMessage(item.messageId, item.popReceipt);
        break;
      }
    }
  }
  return out;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
