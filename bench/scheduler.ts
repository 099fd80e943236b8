/**
 * Schedules on the real local stack (in-memory Azurite, HTTP host, worker process).
 *
 *   npm run bench:scheduler              8 ticks, 1000 schedules
 *   BENCH_RUNS=4 BENCH_SCHEDULES=200 npm run bench:scheduler
 *
 * 1. Tick → runbook process start: a `*\/15 * * * * *` schedule, the Scheduler timer on its own NCRONTAB
 *    schedule (every 15 s, as in Azure), the runbook stamping its own start time. Cron ticks on whole
 *    minutes or quarter minutes fall on the timer's grid; others wait for its next invocation (≤ 15 s more).
 * 2. One timer invocation with BENCH_SCHEDULES enabled schedules, in process against the same Azurite:
 *    none due (the usual invocation: list the table, compute each schedule's ticks), and the CPU part alone.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ScheduleEntry } from '../src/core/schedule.js';
import { dueTicks, ticksCountFrom } from '../src/core/schedule-ticks.js';
import { Scheduler } from '../src/intake/index.js';
import { createStorage } from '../src/storage/index.js';
import { startStackIn } from '../test/support/local-stack.js';
import { figure } from './report.js';

const runs = Number(process.env.BENCH_RUNS ?? 8);
const scheduleCount = Number(process.env.BENCH_SCHEDULES ?? 1000);

function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
  return { median: at(50), p95: at(95) };
}
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-bench-scheduler-'));
  const stampFile = path.join(dir, 'stamps.log');
  await writeFile(stampFile, '');
  const stamp = {
    id: 'stamp',
    name: 'stamp',
    runbook: 'stamp.sh',
    run_args: stampFile,
    worker: 'Runbook',
    schedules: [{ id: 'quarter-minute', cron: '*/15 * * * * *' }],
  };
  const env: NodeJS.ProcessEnv = { ...process.env, CLOUDO_LOG_FLUSH_INTERVAL_MS: '20' };
  delete env.CLOUDO_LOCAL_TIMER_INTERVAL_MS;
  const stack = await startStackIn(dir, [stamp, { ...stamp, id: 'idle', schedules: [] }], {
    runbooksDir: 'bench/runbooks',
    env,
    timerIntervalMs: null,
  });
  try {
    const storage = createStorage({
      connection: { kind: 'connection-string', connectionString: stack.azurite.connectionString },
      namespace: '',
    });

    // 1. tick → process start
    const latencies: number[] = [];
    const seen = new Set<string>();
    const deadline = Date.now() + (runs + 2) * 15_000 + 10_000;
    while (latencies.length < runs && Date.now() < deadline) {
      const lines = (await readFile(stampFile, 'utf8')).split('\n').filter(Boolean);
      for (const line of lines) {
        const [execId, startedUs] = line.split(' ');
        if (!execId || seen.has(execId)) continue;
        seen.add(execId);
        const run = await storage.executions.get(execId);
        const tick = run?.execution.status === 'unmatched' ? null : run?.execution.schedule?.tick;
        if (tick) latencies.push(Number(startedUs) / 1000 - Date.parse(tick));
      }
      await sleep(50);
    }
    await storage.schedules.setEnabled('quarter-minute', false, 'bench');

    // 2. one invocation with many schedules, none due
    const declarations = Array.from({ length: scheduleCount }, (_, i) => ({
      schemaId: 'idle',
      entry: ScheduleEntry.parse({ id: `bulk-${i}`, cron: `${i % 60} ${i % 24} * * *`, timezone: 'Europe/Rome' }),
    }));
    const t0 = performance.now();
    await storage.schedules.importFromFile(declarations);
    const importMs = performance.now() - t0;
    const scheduler = new Scheduler({ storage, from: 'bench' });
    const invocation: number[] = [];
    for (let i = 0; i < 10; i++) {
      const start = performance.now();
      const pass = await scheduler.runDue();
      invocation.push(performance.now() - start);
      if (pass.fired.length > 0) throw new Error('a bulk schedule fired: the measure is of idle invocations');
    }
    const schedules = await storage.schedules.list();
    const cpu: number[] = [];
    for (let i = 0; i < 10; i++) {
      const start = performance.now();
      const now = new Date();
      // what a look costs when it does read the cron (the stored next tick lets most looks skip it)
      for (const s of schedules) dueTicks(s, ticksCountFrom(s), now);
      cpu.push(performance.now() - start);
    }

    const tick = summary(latencies);
    const inv = summary(invocation);
    const compute = summary(cpu);
    console.log(`tick → runbook process start over ${latencies.length} ticks of */15 s (timer on its own 15 s grid):`);
    console.log(`  median ${fmt(tick.median)}  p95 ${fmt(tick.p95)}`);
    console.log(`one Scheduler invocation, ${scheduleCount} enabled schedules, none due (10 invocations):`);
    console.log(`  median ${fmt(inv.median)}  p95 ${fmt(inv.p95)}`);
    console.log(
      `  computing every schedule's ticks anyway, without the next-tick shortcut (CPU): median ${fmt(compute.median)}`,
    );
    console.log(`importing ${scheduleCount} new schedules from a file: ${fmt(importMs)}`);
    figure({
      id: 'scheduler.tick-to-start.p50',
      label: 'schedule tick → runbook process start p50',
      value: tick.median,
      unit: 'ms',
    });
    figure({
      id: 'scheduler.invocation',
      label: `one Scheduler invocation, ${scheduleCount} schedules, none due (median)`,
      value: inv.median,
      unit: 'ms',
      baseline: { label: 'computing every cron anyway (CPU)', value: compute.median },
    });
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
