/**
 * The worker on a real (in-memory) Azurite, in-process:
 *
 *   npm run bench:worker
 *
 * 1. per-run overhead: claim → outcome recorded for a trivial runbook, against a bare `bash -c true` spawn;
 *    as root, also with each run as a uid of its own (CLOUDO_RUNBOOK_UIDS), against the shared-user figure;
 * 2. throughput: 100 trivial runs (50 with BENCH_QUICK=1) queued at once, at concurrency 1 and 8;
 * 3. cancel: from the cancel request to the whole process tree gone (setsid grandchild included);
 * 4. first log line: from the moment the script prints to the moment a log stream (SSE) delivers it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal } from '../src/core/execution.js';
import { planRun } from '../src/core/run-plan.js';
import type { RunbookSchema } from '../src/core/runbook-schema.js';
import type { RunbookAccountRange } from '../src/core/worker-settings.js';
import { DEFAULT_LIVE_LOG_TIMING, LiveLogStreams } from '../src/functions/http/live-log-streams.js';
import { startAzurite } from '../src/local/azurite.js';
import { cancelRun, RunDispatcher } from '../src/runs/index.js';
import { createStorage } from '../src/storage/index.js';
import { testSchema } from '../test/support/schemas.js';
import { QueueWorker, workerStores } from '../workers/queue-worker.js';
import { LocalRunbookSource } from '../workers/source/index.js';
import { figure, isQuick, median } from './report.js';

// the quick run (`npm run bench -- --quick`) takes a third of the samples: noisier, same shape
const ROUNDS = isQuick() ? 10 : 30;
const BATCH = isQuick() ? 50 : 100;
const CANCELS = isQuick() ? 3 : 5;
const FIRST_LINES = isQuick() ? 5 : 10;

const ms = (v: number) => `${v.toFixed(1)} ms`;
/** Running, not a zombie waiting to be reaped. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

async function main() {
  const azurite = await startAzurite();
  const storage = createStorage({
    connection: { kind: 'connection-string', connectionString: azurite.connectionString },
    namespace: '',
  });
  await storage.ensureResources();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-bench-worker-'));
  const files: Record<string, string> = {
    'true.sh': '#!/usr/bin/env bash\ntrue\n',
    'tree.sh':
      '#!/usr/bin/env bash\nsleep 300 & echo $! >> "$1"\nsetsid bash -c \'echo $$ >> "$0"; sleep 300\' "$1" &\necho $$ >> "$1"\necho started\nsleep 300\n',
    // bash's own clock, in microseconds (a shell expansion, not a template placeholder)
    'stamp.sh': ['#!/usr/bin/env bash', 'echo "t=$' + '{EPOCHREALTIME/./}"', 'sleep 1', ''].join('\n'),
  };
  for (const [name, body] of Object.entries(files)) {
    await writeFile(path.join(dir, name), body);
    await chmod(path.join(dir, name), 0o755);
  }
  const schema = (runbook: string, runArgs = '') =>
    testSchema({ id: runbook.replace('.sh', ''), name: runbook, runbook, runArgs, timeoutSeconds: 600 });
  const worker = (concurrency: number, runbookAccounts: RunbookAccountRange | null = null) => {
    const w = new QueueWorker({
      runbookAccounts,
      ...workerStores(storage, 'Runbook'),
      runbooks: new LocalRunbookSource(dir),
      workerName: 'Runbook',
      hostName: 'bench',
      concurrency,
      pollMaxIntervalMs: 50,
      visibilityTimeoutMs: 60_000,
      killGraceMs: 500,
      shutdownGraceMs: 1_000,
      logFlushIntervalMs: 200,
      logMaxBytes: 10 * 1024 * 1024,
      heartbeatMs: 5_000,
      aksTimeoutMs: 60_000,
      workerEnv: { PATH: process.env.PATH, HOME: process.env.HOME },
      log: (level, message) => (level === 'error' ? console.error(message) : undefined),
    });
    void w.start();
    return w;
  };
  const dispatch = async (s: RunbookSchema) => {
    const plan = planRun(s, { source: 'http', actor: null, team: null, principal: null });
    await new RunDispatcher(storage).dispatch(plan);
    return plan.execution.execId;
  };
  const finished = async (execId: string) => {
    for (;;) {
      const e = (await storage.executions.get(execId))?.execution;
      if (e && isTerminal(e.status)) return e;
      await sleep(5);
    }
  };

  // 1. overhead per run
  const bare: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    spawnSync('bash', ['-c', 'true']);
    bare.push(performance.now() - t0);
  }
  let w = worker(1);
  const perRun: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const e = await finished(await dispatch(schema('true.sh')));
    perRun.push(Date.parse(e.finishedAt ?? '') - Date.parse(e.startedAt ?? ''));
  }
  console.log(
    `per run, claim → outcome recorded: median ${ms(median(perRun))}; bare bash -c true: median ${ms(median(bare))} (${(median(perRun) / median(bare)).toFixed(1)} ×)`,
  );
  figure({
    id: 'worker.run-overhead',
    label: 'claim → outcome recorded, trivial runbook (median)',
    value: median(perRun),
    unit: 'ms',
    baseline: { label: 'bare bash -c true', value: median(bare) },
  });
  await w.close();
  if (process.getuid?.() === 0) {
    // the runbook accounts must read the scripts
    await chmod(dir, 0o755);
    w = worker(1, { firstUid: 47_200, count: 4, gid: 47_200 });
    const separate: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const e = await finished(await dispatch(schema('true.sh')));
      if (e.status !== 'succeeded') throw new Error(`run as its own uid ended ${e.status}: ${e.error}`);
      separate.push(Date.parse(e.finishedAt ?? '') - Date.parse(e.startedAt ?? ''));
    }
    console.log(
      `per run as a uid of its own: median ${ms(median(separate))} (${(median(separate) / median(perRun)).toFixed(2)} × the shared-user run)`,
    );
    await w.close();
  }

  // 2. throughput
  for (const concurrency of [1, 8]) {
    const ids = await Promise.all(Array.from({ length: BATCH }, () => dispatch(schema('true.sh'))));
    const t0 = performance.now();
    w = worker(concurrency);
    for (const id of ids) await finished(id);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`${BATCH} trivial runs at concurrency ${concurrency}: ${(BATCH / seconds).toFixed(1)} runs/s`);
    figure({
      id: `worker.runs-per-s.c${concurrency}`,
      label: `${BATCH} queued trivial runs, one worker at concurrency ${concurrency}`,
      value: BATCH / seconds,
      unit: 'runs/s',
    });
    await w.close();
  }

  // 3. cancel → tree gone
  w = worker(2);
  const cancels: number[] = [];
  for (let i = 0; i < CANCELS; i++) {
    const pidFile = path.join(dir, `pids-${i}`);
    const id = await dispatch(schema('tree.sh', pidFile));
    for (;;) {
      const log = (await storage.logs.read(id))?.toString() ?? '';
      if (log.includes('started')) break;
      await sleep(10);
    }
    const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number);
    const t0 = performance.now();
    await cancelRun(storage.executions, id, 'bench');
    while (pids.some(alive)) await sleep(5);
    cancels.push(performance.now() - t0);
    await finished(id);
  }
  console.log(
    `cancel → process tree gone (3 processes, one setsid): median ${ms(median(cancels))}, max ${ms(Math.max(...cancels))}`,
  );
  figure({ id: 'worker.cancel', label: 'cancel → process tree gone (median)', value: median(cancels), unit: 'ms' });

  // 4. first log line through the live stream
  const firstLine: number[] = [];
  const liveLogs = new LiveLogStreams({ storage, perCaller: 1, total: 1, ...DEFAULT_LIVE_LOG_TIMING });
  for (let i = 0; i < FIRST_LINES; i++) {
    const id = await dispatch(schema('stamp.sh'));
    for (;;) {
      const e = (await storage.executions.get(id))?.execution;
      if (e?.status === 'running') break;
      await sleep(5);
    }
    const reservation = liveLogs.reserve('bench');
    if (!reservation.ok) throw new Error('the previous stream still holds its slot');
    const reader = liveLogs.open(reservation.slot, id, 0).getReader();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      const m = /t=(\d+)/.exec(text);
      if (m) {
        firstLine.push(performance.timeOrigin + performance.now() - Number(m[1]) / 1000);
        break;
      }
    }
    await reader.cancel();
    await finished(id);
  }
  console.log(
    `first log line, printed → delivered by the stream: median ${ms(median(firstLine))}, max ${ms(Math.max(...firstLine))}`,
  );
  figure({
    id: 'worker.first-log-line',
    label: 'first log line, printed → delivered by a live stream (median)',
    value: median(firstLine),
    unit: 'ms',
  });
  await w.close();
  await azurite.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
