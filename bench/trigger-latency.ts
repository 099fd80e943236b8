/**
 * Trigger → runbook process start, on the real local stack (in-memory Azurite, HTTP host, worker process).
 *
 *   npm run bench                      50 runs, idle worker between runs (the README figure)
 *   BENCH_RUNS=100 npm run bench
 *
 * Each run: send GET /api/Trigger?id=stamp, the runbook prints its own start time, and the difference
 * with the send time is the latency. Between runs the worker is left idle long enough to back off to
 * its ceiling, which is the case a user meets. The baseline, measured in the same run on the same
 * Azurite, is the floor any queue-based design pays: one enqueue plus one receive, and one bash spawn.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStackIn } from '../test/support/local-stack.js';

const runs = Number(process.env.BENCH_RUNS ?? 50);
const idleMs = Number(process.env.BENCH_IDLE_MS ?? 600);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { median: percentile(s, 50), p95: percentile(s, 95), min: s[0] ?? 0, max: s[s.length - 1] ?? 0 };
}
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main() {
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
  const stack = await startStackIn(dir, [stamp], {
    runbooksDir: 'bench/runbooks',
    env: { ...process.env, CLOUDO_LOG_FLUSH_INTERVAL_MS: '20' },
  });
  try {
    // warm-up: first requests pay for connection set-up and module loading
    for (let i = 0; i < 3; i++) await once(stack.url);

    const latencies: number[] = [];
    for (let i = 0; i < runs; i++) {
      // random idle gaps: a fixed gap would phase-lock with the worker's backoff schedule
      await sleep(idleMs + Math.random() * 500);
      latencies.push(await once(stack.url));
    }

    // baseline 1: what a queue round trip costs on this Azurite (send, then receive as fast as possible)
    const baselineQueue: number[] = await queueRoundTrips(stack.azurite.connectionString, 20);
    // baseline 2: spawning bash with the same script
    const baselineSpawn: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      spawnSync('bash', ['bench/runbooks/stamp.sh', path.join(dir, 'spawn-baseline.log')]);
      baselineSpawn.push(performance.now() - t0);
    }

    // baseline 3: the floor of any design that polls a Storage Queue with the same idle backoff: a bare
    // receive loop (25 ms doubling to the ceiling), same random idle gaps, send → receive
    const ceilingMs = Number(process.env.CLOUDO_POLL_MAX_INTERVAL_MS ?? 250);
    const baselinePolled = await polledReceives(stack.azurite.connectionString, Math.min(runs, 30), idleMs, ceilingMs);

    const l = summary(latencies);
    const pq = summary(baselinePolled);
    const q = summary(baselineQueue);
    const s = summary(baselineSpawn);
    const floor = q.median + s.median;
    console.log(`trigger → process start over ${runs} runs (worker idle ${idleMs}-${idleMs + 500} ms before each):`);
    console.log(`  median ${fmt(l.median)}  p95 ${fmt(l.p95)}  min ${fmt(l.min)}  max ${fmt(l.max)}`);
    console.log(
      `baseline in the same run: queue send+receive median ${fmt(q.median)}, bash spawn+exit median ${fmt(s.median)}`,
    );
    console.log(`  ratio: median latency = ${(l.median / floor).toFixed(2)} × (queue round trip + spawn)`);
    console.log(
      `bare receive loop with the same ${ceilingMs} ms idle ceiling: median ${fmt(pq.median)}  p95 ${fmt(pq.p95)}` +
        `  → ClouDO = ${(l.median / pq.median).toFixed(2)} × median, ${(l.p95 / pq.p95).toFixed(2)} × p95`,
    );
  } finally {
    await stack.stop();
  }
}

let stampFile = '';

/** One trigger; returns ms from sending the request to the runbook's own start stamp. */
async function once(url: string): Promise<number> {
  const sentUs = (performance.timeOrigin + performance.now()) * 1000;
  const res = await fetch(`${url}/api/Trigger?id=stamp`);
  const { exec_id: execId } = (await res.json()) as { exec_id: string };
  for (;;) {
    const line = (await readFile(stampFile, 'utf8')).split('\n').find((l) => l.startsWith(`${execId} `));
    if (line) return (Number(line.split(' ')[1]) - sentUs) / 1000;
    await sleep(5);
  }
}

async function polledReceives(connectionString: string, count: number, idle: number, ceilingMs: number) {
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
      delay = got.receivedMessageItems.length > 0 ? 0 : Math.min(ceilingMs, delay === 0 ? 25 : delay * 2);
      if (delay > 0) await sleep(delay);
    }
  })();
  for (let i = 0; i < count; i++) {
    await sleep(idle + Math.random() * 500);
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
