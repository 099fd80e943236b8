import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerProcess } from '../../../src/local/worker-processes.js';
import { isAlive, waitFor } from '../../support/wait.js';

/**
 * The local stack restarts a worker that died: quickly at first, slower while it keeps crashing, and
 * quickly again once it had stayed up. A stand-in worker crashes at once unless a flag file exists.
 */
describe('a local worker process that dies', () => {
  let worker: WorkerProcess | undefined;
  afterEach(() => worker?.stop(2_000));

  const stableAfterMs = 1_000;
  const start = async ({ stayUp }: { stayUp: boolean }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-worker-process-'));
    const flag = path.join(dir, 'stay-up');
    if (stayUp) await writeFile(flag, '');
    const lines: string[] = [];
    const pids: (number | undefined)[] = [];
    worker = new WorkerProcess({
      worker: 'Runbook',
      env: { PATH: process.env.PATH, FLAG: flag },
      command: ['sh', '-c', 'if [ -e "$FLAG" ]; then echo up; exec sleep 600; fi; exit 3'],
      onLine: (line) => lines.push(line),
      onPidChange: (pid) => pids.push(pid),
      restartDelayMs: 20,
      maxRestartDelayMs: 160,
      stableAfterMs,
    });
    worker.start();
    const delays = () => lines.flatMap((l) => /restarting in (\d+) ms/.exec(l)?.[1] ?? []).map(Number);
    const waitForDelays = (count: number) =>
      waitFor(`${count} restarts`, () => (delays().length >= count ? delays() : undefined), 10_000);
    return { dir, flag, lines, pids, delays, waitForDelays };
  };

  it('doubles the pause while it keeps crashing, up to the cap, and starts over once it stayed up', async () => {
    const w = await start({ stayUp: false });
    try {
      expect((await w.waitForDelays(5)).slice(0, 5)).toEqual([20, 40, 80, 160, 160]);
      expect(w.lines[0]).toBe('exited (code 3); restarting in 20 ms');

      await writeFile(w.flag, '');
      await waitFor('the worker to stay up', () => (w.lines.includes('up') ? true : undefined));
      // up for longer than stableAfterMs: healthy, whatever killed it next
      await sleep(stableAfterMs);
      await rm(w.flag);
      const before = w.delays().length;
      process.kill(worker?.pid ?? 0, 'SIGKILL');
      // back to the first pause, then doubling again as it crash-loops
      expect((await w.waitForDelays(before + 2)).slice(before, before + 2)).toEqual([20, 40]);
      expect(w.lines).toContain('exited (SIGKILL); restarting in 20 ms');
    } finally {
      await rm(w.dir, { recursive: true, force: true });
    }
  });

  it('reports each new pid, and that the old one is gone, so stack.json can list the current one', async () => {
    const w = await start({ stayUp: true });
    try {
      const first = await waitFor('the first pid', () => worker?.pid);
      expect(w.pids).toEqual([first]);
      process.kill(first, 'SIGKILL');
      const second = await waitFor('a new pid', () => (worker?.pid && worker.pid !== first ? worker.pid : undefined));
      expect(w.pids).toEqual([first, undefined, second]);
      expect(isAlive(second)).toBe(true);
      await worker?.stop(2_000);
      expect(isAlive(second)).toBe(false);
      // a stop is not a death: nothing to report, nothing restarted
      expect(w.pids).toEqual([first, undefined, second]);
    } finally {
      await rm(w.dir, { recursive: true, force: true });
    }
  });
});
