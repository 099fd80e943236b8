/**
 * End-to-end throughput on the real local stack (in-memory Azurite, HTTP host, worker process, default
 * concurrency): how many trivial runs a second go from trigger to outcome recorded.
 *
 *   npm run bench:throughput              400 triggers, 16 in flight (BENCH_TRIGGERS, BENCH_IN_FLIGHT)
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/throughput.ts
 *
 * (Node refuses --cpu-prof in NODE_OPTIONS; given on the command line, the worker process inherits it
 * through execArgv, and the functions host runs in this process.)
 *
 * The rate is runs / (last run's finished_at − first trigger sent), read from the rows, so polling for
 * the end adds nothing to it. Baseline in the same run, on the same Azurite: the raw queue rate, as many
 * messages sent, received and deleted with the same number in flight: a run needs at least that trip.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueueServiceClient } from '@azure/storage-queue';
import { isTerminal } from '../src/core/execution.js';
import { createStorage } from '../src/storage/index.js';
import { startStackIn } from '../test/support/local-stack.js';
import { inParallel } from './in-parallel.js';
import { figure, isQuick } from './report.js';

/**
 * Storage requests of one trivial run: the 11 that test/integration/workers/run-storage-budget.test.ts
 * holds it to (trigger 4, claim 3, log 1, outcome 1, result 1, ack 1) plus the results queue's receive
 * and delete. The raw baseline costs 3 (send, receive, delete): on a storage-bound machine a run cannot
 * go faster than raw × 3 / 13, whatever the worker does.
 */
const REQUESTS_PER_RUN = 13;

const triggers = Number(process.env.BENCH_TRIGGERS ?? (isQuick() ? 100 : 400));
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 16);

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-bench-throughput-'));
  const stampFile = path.join(dir, 'stamps.log');
  await writeFile(stampFile, '');
  // stamp.sh appends one line: as trivial as a runbook gets, and it proves the script ran
  const entity = { id: 'stamp', name: 'stamp', runbook: 'stamp.sh', run_args: stampFile, worker: 'Runbook' };
  const stack = await startStackIn(dir, [{ ...entity, oncall: false }], { runbooksDir: 'bench/runbooks' });
  try {
    const storage = createStorage({
      connection: { kind: 'connection-string', connectionString: stack.azurite.connectionString },
      namespace: '',
    });
    // warm-up: connections and module loading are not what this measures
    for (let i = 0; i < 3; i++) await waitTerminal(storage, [await trigger(stack.url)]);

    const ids: string[] = [];
    const sentAtMs = Date.now();
    await inParallel(triggers, inFlight, async () => {
      ids.push(await trigger(stack.url));
    });
    const finishedAtMs = await waitTerminal(storage, ids);
    const runsPerSecond = triggers / ((finishedAtMs - sentAtMs) / 1000);

    const raw = await rawQueueRate(stack.azurite.connectionString, triggers, inFlight);
    console.log(`${triggers} trivial runs, ${inFlight} triggers in flight: ${runsPerSecond.toFixed(1)} runs/s`);
    console.log(
      `baseline, same Azurite: queue send+receive+delete ${raw.toFixed(0)} msg/s → ${(runsPerSecond / raw).toFixed(2)} × raw`,
    );
    figure({
      id: 'throughput.runs-per-s',
      label: `end-to-end trivial runs/s (${triggers} triggers, ${inFlight} in flight)`,
      value: runsPerSecond,
      unit: 'runs/s',
      baseline: { label: 'raw queue send+receive+delete', value: raw, unit: 'msg/s' },
      goal: { op: '>=', value: 0.6, of: 'ratio' },
    });
    const ceiling = (raw * 3) / REQUESTS_PER_RUN;
    console.log(`storage-bound ceiling (raw × 3 / ${REQUESTS_PER_RUN} requests a run): ${ceiling.toFixed(0)} runs/s`);
    figure({
      id: 'throughput.share-of-ceiling',
      label: `end-to-end trivial runs/s against the storage-bound ceiling`,
      value: runsPerSecond,
      unit: 'runs/s',
      baseline: { label: `raw rate × 3 / ${REQUESTS_PER_RUN} storage requests a run`, value: ceiling, unit: 'runs/s' },
      goal: { op: '>=', value: 0.6, of: 'ratio' },
    });
  } finally {
    await stack.stop();
  }
}

async function trigger(url: string): Promise<string> {
  const res = await fetch(`${url}/api/Trigger?id=stamp`);
  if (res.status !== 202) throw new Error(`trigger answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { exec_id: string }).exec_id;
}

/** Waits until every run is terminal and returns the latest finished_at (ms since the epoch). */
async function waitTerminal(storage: ReturnType<typeof createStorage>, ids: readonly string[]): Promise<number> {
  let pending = [...ids];
  let lastMs = 0;
  while (pending.length > 0) {
    const still: string[] = [];
    await inParallel(pending.length, 8, async (i) => {
      const id = pending[i] ?? '';
      const run = (await storage.executions.get(id))?.execution;
      if (!run || !isTerminal(run.status)) return void still.push(id);
      if (run.status !== 'succeeded') throw new Error(`run ${id} ended ${run.status}: ${run.error ?? ''}`);
      lastMs = Math.max(lastMs, Date.parse(run.finishedAt ?? ''));
    });
    pending = still;
    if (pending.length > 0) await sleep(100);
  }
  return lastMs;
}

/** Messages a second through send → receive → delete, `width` loops at a time, on a fresh queue. */
async function rawQueueRate(connectionString: string, count: number, width: number): Promise<number> {
  const queue = QueueServiceClient.fromConnectionString(connectionString).getQueueClient('bench-raw-rate');
  await queue.createIfNotExists();
  const t0 = performance.now();
  await inParallel(count, width, async () => {
    await queue.sendMessage('x');
    for (;;) {
      const item = (await queue.receiveMessages()).receivedMessageItems[0];
      if (item) return void (await queue.deleteMessage(item.messageId, item.popReceipt));
    }
  });
  return count / ((performance.now() - t0) / 1000);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
