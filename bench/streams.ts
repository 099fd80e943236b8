/**
 * Live-log streams of one run: storage reads per second, one poller per stream against one shared poller.
 *
 *   npm run bench:streams                 50 streams (BENCH_STREAMS=200 for the figure)
 *
 * On an in-memory Azurite, in-process: a run's log grows by a line every 100 ms while N streams follow it
 * from byte 0, for BENCH_SECONDS (5) each. "Separate": every stream has its own LiveLogStreams, hence its
 * own poller, which is what each stream did before pollers were shared. "Shared": one LiveLogStreams, the
 * app as it runs. Alongside, a probe times a status read of another run every 50 ms: what every other
 * route pays while the streams poll. Every stream must reach the end of the log in both modes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { planRun } from '../src/core/run-plan.js';
import { DEFAULT_LIVE_LOG_TIMING, LiveLogStreams } from '../src/functions/http/live-log-streams.js';
import { startAzurite } from '../src/local/azurite.js';
import type { Storage } from '../src/storage/index.js';
import { createStorage } from '../src/storage/index.js';
import { HTTP_TRIGGER, testSchema } from '../test/support/schemas.js';
import { figure, median } from './report.js';

const streams = Number(process.env.BENCH_STREAMS ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

const p95 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length * 0.95)] ?? Number.NaN;

/** Counts every status and log read made through `storage`. */
function countReads(storage: Storage): { total(): number } {
  let reads = 0;
  const { logs, executions } = storage;
  const read = logs.read.bind(logs);
  logs.read = (execId, offset) => {
    reads += 1;
    return read(execId, offset);
  };
  const get = executions.get.bind(executions);
  executions.get = (execId) => {
    reads += 1;
    return get(execId);
  };
  return { total: () => reads };
}

async function runningRun(storage: Storage): Promise<string> {
  const plan = planRun(testSchema(), HTTP_TRIGGER);
  await storage.executions.create(plan.execution);
  const row = await storage.executions.get(plan.execution.execId);
  if (!row) throw new Error('missing run');
  await storage.executions.transition(row, { ...plan.execution, status: 'running' });
  await storage.logs.create(plan.execution.execId);
  return plan.execution.execId;
}

interface Phase {
  readsPerSecond: number;
  probeMedianMs: number;
  probeP95Ms: number;
}

async function phase(
  label: string,
  storage: Storage,
  probeStorage: Storage,
  probeId: string,
  open: (execId: string) => ReadableStream<Uint8Array>[],
): Promise<Phase> {
  const reads = countReads(storage);
  const execId = await runningRun(storage);
  const bodies = open(execId);
  /** The byte of the log each stream has reached (the id of its last log event). */
  const reached = bodies.map(() => 0);
  const readers = bodies.map((body) => body.getReader());
  const drained = readers.map(async (reader, i) => {
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const m of decoder.decode(value, { stream: true }).matchAll(/^id: (\d+)$/gm)) reached[i] = Number(m[1]);
    }
  });
  let writing = true;
  const writer = (async () => {
    for (let line = 0; writing; line++) {
      await storage.logs.append(execId, Buffer.from(`line ${line} of the bench\n`));
      await sleep(100);
    }
  })();
  // let every stream start and catch up before counting
  await sleep(1_000);
  const start = reads.total();
  const probes: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const t0 = performance.now();
    await probeStorage.executions.get(probeId);
    probes.push(performance.now() - t0);
    await sleep(50);
  }
  const readsPerSecond = (reads.total() - start) / seconds;
  writing = false;
  await writer;
  const length = (await storage.logs.read(execId))?.length ?? 0;
  const deadline = Date.now() + 30_000;
  while (reached.some((r) => r !== length)) {
    if (Date.now() > deadline) throw new Error(`${label}: streams stopped short of byte ${length}`);
    await sleep(50);
  }
  // every stream has the whole log: end them as clients that go away
  await Promise.all(readers.map((reader) => reader.cancel()));
  await Promise.all(drained);
  const result: Phase = { readsPerSecond, probeMedianMs: median(probes), probeP95Ms: p95(probes) };
  console.log(
    `${label.padEnd(34)} ${readsPerSecond.toFixed(0).padStart(5)} reads/s; status read of another run: ` +
      `median ${result.probeMedianMs.toFixed(1)} ms, p95 ${result.probeP95Ms.toFixed(1)} ms`,
  );
  return result;
}

async function main() {
  const azurite = await startAzurite();
  const settings = {
    connection: { kind: 'connection-string' as const, connectionString: azurite.connectionString },
    namespace: '',
  };
  const probeStorage = createStorage(settings);
  await probeStorage.ensureResources();
  const probeId = await runningRun(probeStorage);
  try {
    await phase('no stream (baseline)', createStorage(settings), probeStorage, probeId, () => []);
    const separateStorage = createStorage(settings);
    const separate = await phase(
      `${streams} streams, a poller each`,
      separateStorage,
      probeStorage,
      probeId,
      (execId) =>
        Array.from({ length: streams }, () => {
          const own = new LiveLogStreams({
            storage: separateStorage,
            perCaller: 1,
            total: 1,
            ...DEFAULT_LIVE_LOG_TIMING,
          });
          const reservation = own.reserve('bench');
          if (!reservation.ok) throw new Error('refused');
          return own.open(reservation.slot, execId, 0);
        }),
    );
    const sharedStorage = createStorage(settings);
    const hub = new LiveLogStreams({
      storage: sharedStorage,
      perCaller: streams,
      total: streams,
      ...DEFAULT_LIVE_LOG_TIMING,
    });
    const shared = await phase(
      `${streams} streams, one shared poller`,
      sharedStorage,
      probeStorage,
      probeId,
      (execId) =>
        Array.from({ length: streams }, () => {
          const reservation = hub.reserve('bench');
          if (!reservation.ok) throw new Error('refused');
          return hub.open(reservation.slot, execId, 0);
        }),
    );
    console.log(
      `storage reads: ${(separate.readsPerSecond / shared.readsPerSecond).toFixed(1)} x fewer with one poller ` +
        `(${separate.readsPerSecond.toFixed(0)} → ${shared.readsPerSecond.toFixed(0)} reads/s for ${streams} streams)`,
    );
    if (hub.stats().streams !== 0 || hub.stats().pollers !== 0) throw new Error('streams left open');
    figure({
      id: 'streams.reads-per-s',
      label: `storage reads for ${streams} live-log streams of one run, one shared poller`,
      value: shared.readsPerSecond,
      unit: 'reads/s',
      baseline: { label: 'a poller per stream', value: separate.readsPerSecond },
    });
  } finally {
    await azurite.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
