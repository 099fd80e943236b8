/**
 * End-to-end trivial runs/s on the real local stack (in-memory Azurite, HTTP host, one worker process at
 * its default concurrency), against Azurite's raw queue rate measured in the same run.
 *
 *   npx tsx bench/run-throughput.ts                          400 triggers, 16 in flight
 *   BENCH_RUNS=200 BENCH_IN_FLIGHT=8 CLOUDO_CONCURRENCY=16 npx tsx bench/run-throughput.ts
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/run-throughput.ts
 *
 * (Node refuses --cpu-prof in NODE_OPTIONS; given on the command line, the worker process inherits it
 * through execArgv, and the functions host runs in this process.)
 *
 * A run counts from its trigger's send to its outcome recorded (`finished_at`); the rate is runs over the
 * span from the first send to the last outcome. The baseline is what any queue-based design pays per job
 * at the same parallelism: as many lanes as triggers in flight, each sending a message, receiving one and
 * deleting it. With --cpu-prof the burst's window is printed on the monotonic clock the profiles use, so
 * their samples can be cut to it.
 */
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueueServiceClient } from '@azure/storage-queue';
import { createStorage } from '../src/storage/index.js';
import { startStackIn } from '../test/support/local-stack.js';

const runs = Number(process.env.BENCH_RUNS ?? 400);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 16);

/** Microseconds on CLOCK_MONOTONIC, the clock of V8's profile timestamps on Linux. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-throughput-'));
  const runbooks = path.join(dir, 'runbooks');
  await mkdir(runbooks);
  await writeFile(path.join(runbooks, 'noop.sh'), '#!/usr/bin/env bash\necho "trivial run"\n');
  await chmod(path.join(runbooks, 'noop.sh'), 0o755);
  const schema = { id: 'noop', name: 'noop', runbook: 'noop.sh', worker: 'Runbook', oncall: false };
  const stack = await startStackIn(dir, [schema], { runbooksDir: runbooks, env: { ...process.env } });
  const storage = createStorage({
    connection: { kind: 'connection-string', connectionString: stack.azurite.connectionString },
    namespace: '',
  });
  const jobs = storage.clients.queue(storage.names.jobQueue('Runbook'));
  try {
    // warm-up: connections, module loading, the worker's first claims
    await burst(stack.url, 16, 4, jobs);

    const startUs = monotonicUs();
    const t0 = Date.now();
    const ids = await burst(stack.url, runs, inFlight, jobs);
    const endUs = monotonicUs();
    const finished = await finishedAt(storage, ids);
    const spanMs = Math.max(...finished) - t0;
    const rate = runs / (spanMs / 1000);

    const raw = await rawQueueRate(stack.azurite.connectionString, runs, inFlight);
    const concurrency = process.env.CLOUDO_CONCURRENCY ?? 'its default';
    console.log(`${runs} trivial runs, ${inFlight} triggers in flight, one worker at concurrency ${concurrency}:`);
    console.log(`  first trigger → last outcome ${(spanMs / 1000).toFixed(2)} s: ${rate.toFixed(1)} runs/s`);
    console.log(`baseline in the same run: ${inFlight} lanes of queue send+receive+delete: ${raw.toFixed(1)} msg/s`);
    console.log(`  ratio: ${(rate / raw).toFixed(2)} × raw`);
    console.log(`burst window (monotonic µs, for --cpu-prof): ${startUs} ${endUs}`);
  } finally {
    await stack.stop();
  }
}

/**
 * Sends `count` triggers, `parallel` at a time, then waits for the job queue to empty: a message goes only
 * once its run's outcome is recorded and announced. Returns the runs' ids.
 */
async function burst(
  url: string,
  count: number,
  parallel: number,
  jobs: ReturnType<ReturnType<typeof createStorage>['clients']['queue']>,
): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      const res = await fetch(`${url}/api/Trigger?id=noop`);
      if (res.status !== 202) throw new Error(`trigger answered ${res.status}: ${await res.text()}`);
      ids.push(((await res.json()) as { exec_id: string }).exec_id);
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  // one cheap request a tick: the approximate count includes messages in flight
  while ((await jobs.getProperties()).approximateMessagesCount !== 0) await sleep(50);
  return ids;
}

async function finishedAt(storage: ReturnType<typeof createStorage>, ids: string[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i += 16) {
    const rows = await Promise.all(ids.slice(i, i + 16).map((id) => storage.executions.get(id)));
    for (const row of rows) {
      const at = row?.execution.finishedAt;
      if (!at) throw new Error(`run ${row?.execution.execId} has not finished`);
      out.push(Date.parse(at));
    }
  }
  return out;
}

/** Messages/s through `lanes` parallel send → receive → delete round trips on one queue. */
async function rawQueueRate(connectionString: string, count: number, lanes: number): Promise<number> {
  const queue = QueueServiceClient.fromConnectionString(connectionString).getQueueClient('bench-raw-rate');
  await queue.createIfNotExists();
  let left = count;
  const t0 = performance.now();
  const lane = async () => {
    while (left > 0) {
      left--;
      await queue.sendMessage('x');
      for (;;) {
        const [item] = (await queue.receiveMessages({ numberOfMessages: 1 })).receivedMessageItems;
        if (item) {
          await queue.deleteMessage(item.messageId, item.popReceipt);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return count / ((performance.now() - t0) / 1000);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
