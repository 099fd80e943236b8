/**
 * Idle memory of the production build, as each process runs it:
 *
 *   npm run bench:memory              (BENCH_IDLE_S=30 to change the idle wait; --no-build to use dist/ as it is)
 *
 * Builds dist/ (`npm run build`), then starts, with NODE_ENV=production:
 * - the local stack from dist/ (`node dist/src/local/main.js --in-memory`): its own process is the functions
 *   host (the Functions app's code from dist/, served by our local HTTP host, plus its queue and timer
 *   runners); it starts Azurite (not measured) and the worker, `node dist/workers/main.js`, the program the
 *   worker image runs (workers/Dockerfile CMD), as a process of its own;
 * - the Functions app's entry alone (`dist/src/index.js` imported by a bare node, as the Azure Functions
 *   host's Node worker loads package.json "main"; outside the host `app.*` registers nothing, so this is the
 *   code's own weight without the host's gRPC worker);
 * - baseline: `node -e "setInterval(() => {}, 1000)"`.
 * Reads VmRSS from /proc/<pid>/status once each is up and, as the median of a read a second over the last
 * 10 s, after BENCH_IDLE_S seconds of idling.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { figure, median } from './report.js';

const idleMs = Number(process.env.BENCH_IDLE_S ?? 30) * 1000;
const SAMPLES = 10;
const env = { ...process.env, NODE_ENV: 'production' };

/** Resident set of a process in MiB, from the kernel's own count. */
function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

const commandOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => null);
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

interface Measured {
  readonly name: string;
  readonly pid: number;
  readonly budgetMiB: number | null;
  /** The harness's figure id, for the processes held to a budget. */
  readonly figureId?: string;
  started: number;
  idle: number;
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
  if (!existsSync('dist/workers/main.js')) throw new Error('no dist/workers/main.js: run npm run build');
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-bench-memory-'));
  const baseline = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { env, stdio: 'ignore' });
  const appEntry = spawn(
    process.execPath,
    ['--input-type=module', '-e', "await import('./dist/src/index.js'); setInterval(() => {}, 1000);"],
    // its stderr only says that `app.*` registers nothing outside the host
    { env, stdio: 'ignore' },
  );
  const stack = spawn(process.execPath, ['dist/src/local/main.js', '--in-memory'], {
    env: { ...env, PORT: '0', CLOUDO_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  stack.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    // up: the stack file is written once everything started, and the worker says when it polls
    const { pid, childPids } = await waitFor('the local stack', async () => {
      const file = JSON.parse(await readFile(path.join(stateDir, 'stack.json'), 'utf8')) as {
        pid: number;
        childPids: number[];
      };
      return output.includes(' polling ') ? file : null;
    });
    const workerPid = childPids.find((child) => commandOf(child).includes('dist/workers/main.js'));
    if (workerPid === undefined) throw new Error(`no worker among the stack's processes ${childPids.join(', ')}`);
    if (baseline.pid === undefined || appEntry.pid === undefined) throw new Error('a process did not start');
    const rows: Measured[] = [
      {
        name: 'worker (node dist/workers/main.js)',
        pid: workerPid,
        budgetMiB: 100,
        figureId: 'memory.idle-rss.worker',
        started: 0,
        idle: 0,
      },
      {
        name: 'functions host (local host, dist/)',
        pid,
        budgetMiB: 150,
        figureId: 'memory.idle-rss.host',
        started: 0,
        idle: 0,
      },
      { name: 'functions app entry (dist/src/index.js)', pid: appEntry.pid, budgetMiB: null, started: 0, idle: 0 },
      { name: 'baseline: node -e setInterval', pid: baseline.pid, budgetMiB: null, started: 0, idle: 0 },
    ];
    // a moment for the last start-up writes and the first poll to settle
    await sleep(2000);
    for (const row of rows) row.started = rssMiB(row.pid);
    // the idle figure is the median of a read a second over the wait's last 10 s: a collection may land
    // on (or just miss) any single read
    await sleep(Math.max(0, idleMs - SAMPLES * 1000));
    const samples = new Map(rows.map((row) => [row, [] as number[]]));
    for (let i = 0; i < SAMPLES; i++) {
      for (const [row, reads] of samples) reads.push(rssMiB(row.pid));
      await sleep(1000);
    }
    for (const [row, reads] of samples) row.idle = median(reads);
    const base = rows[rows.length - 1]?.idle ?? Number.NaN;
    const mib = (v: number) => `${v.toFixed(1)} MiB`.padStart(10);
    console.log(
      `idle RSS (VmRSS), Node ${process.version}, ${os.cpus().length} cores, NODE_ENV=production, idle ${idleMs / 1000} s`,
    );
    console.log(`${'process'.padEnd(42)}${'started'.padStart(10)}${'idle'.padStart(10)}  budget    × baseline`);
    for (const row of rows) {
      if (row.budgetMiB !== null && row.figureId) {
        figure({
          id: row.figureId,
          label: `idle RSS, ${row.name}`,
          value: row.idle,
          unit: 'MiB',
          baseline: { label: 'bare node -e setInterval', value: base },
          goal: { op: '<=', value: row.budgetMiB },
        });
      }
      const budget = row.budgetMiB === null ? '' : `≤ ${row.budgetMiB} ${row.idle <= row.budgetMiB ? 'ok ' : 'OVER'}`;
      console.log(
        `${row.name.padEnd(42)}${mib(row.started)}${mib(row.idle)}  ${budget.padEnd(9)} ${(row.idle / base).toFixed(2)}`,
      );
    }
  } finally {
    baseline.kill();
    appEntry.kill();
    // SIGINT, as Ctrl-C: the stack stops its worker and Azurite before it exits
    const exited = new Promise((resolve) => stack.once('exit', resolve));
    stack.kill('SIGINT');
    await Promise.race([exited, sleep(40_000)]);
    await rm(stateDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
