import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessSpec } from '../../../src/local/supervisor.js';
import { Supervisor } from '../../../src/local/supervisor.js';
import { isAlive, waitFor } from '../../support/wait.js';

/**
 * The local stack's supervisor (Azurite, workers) restarts a process that died: quickly at first, slower
 * while it keeps crashing, and quickly again once it had stayed up. A stand-in crashes at once unless a
 * flag file exists.
 */
describe('the local supervisor', () => {
  let supervisor: Supervisor | undefined;
  afterEach(() => supervisor?.stop());

  const stableAfterMs = 1_000;
  const standIn = (flag: string, onLine: (line: string) => void, restart = true, onExit = () => {}): ProcessSpec => ({
    spawn: () => {
      const child = spawn('sh', ['-c', 'if [ -e "$FLAG" ]; then echo up; exec sleep 600; fi; exit 3'], {
        env: { PATH: process.env.PATH, FLAG: flag },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child.once('exit', onExit);
      return child;
    },
    onLine,
    ...(restart && { restart: { delayMs: 20, maxDelayMs: 160, stableAfterMs } }),
    stopTimeoutMs: 2_000,
  });
  const start = async ({ stayUp }: { stayUp: boolean }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-supervisor-'));
    const flag = path.join(dir, 'stay-up');
    if (stayUp) await writeFile(flag, '');
    const lines: string[] = [];
    const pids: number[][] = [];
    supervisor = new Supervisor((now) => pids.push(now));
    const process = supervisor.start(standIn(flag, (line) => lines.push(line)));
    const delays = () => lines.flatMap((l) => /restarting in (\d+) ms/.exec(l)?.[1] ?? []).map(Number);
    const waitForDelays = (count: number) =>
      waitFor(`${count} restarts`, () => (delays().length >= count ? delays() : undefined), 10_000);
    return { dir, flag, lines, pids, process, delays, waitForDelays };
  };

  it('doubles the pause while it keeps crashing, up to the cap, and starts over once it stayed up', async () => {
    const w = await start({ stayUp: false });
    try {
      expect((await w.waitForDelays(5)).slice(0, 5)).toEqual([20, 40, 80, 160, 160]);
      expect(w.lines[0]).toBe('exited (code 3); restarting in 20 ms');

      await writeFile(w.flag, '');
      await waitFor('the process to stay up', () => (w.lines.includes('up') ? true : undefined));
      // up for longer than stableAfterMs: healthy, whatever killed it next
      await sleep(stableAfterMs);
      await rm(w.flag);
      const before = w.delays().length;
      process.kill(w.process.pid ?? 0, 'SIGKILL');
      // back to the first pause, then doubling again as it crash-loops
      expect((await w.waitForDelays(before + 2)).slice(before, before + 2)).toEqual([20, 40]);
      expect(w.lines).toContain('exited (SIGKILL); restarting in 20 ms');
    } finally {
      await rm(w.dir, { recursive: true, force: true });
    }
  });

  it('reports the pids running after each start and death, so stack.json can list the current ones', async () => {
    const w = await start({ stayUp: true });
    try {
      const first = await waitFor('the first pid', () => w.process.pid);
      expect(w.pids).toEqual([[first]]);
      process.kill(first, 'SIGKILL');
      const second = await waitFor('a new pid', () =>
        w.process.pid && w.process.pid !== first ? w.process.pid : undefined,
      );
      expect(w.pids).toEqual([[first], [], [second]]);
      expect(supervisor?.pids()).toEqual([second]);
      expect(isAlive(second)).toBe(true);
      await supervisor?.stop();
      expect(isAlive(second)).toBe(false);
      // a stop is not a death: nothing to report, nothing restarted
      expect(w.pids).toEqual([[first], [], [second]]);
    } finally {
      await rm(w.dir, { recursive: true, force: true });
    }
  });

  it('restarts nothing without a restart policy, and stops the last started group first', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-supervisor-'));
    try {
      const flag = path.join(dir, 'stay-up');
      await writeFile(flag, '');
      const exits: string[] = [];
      const quiet = () => undefined;
      supervisor = new Supervisor();
      const storage = supervisor.start(standIn(flag, quiet, false, () => exits.push('storage')));
      const workers = supervisor.startGroup([1, 2].map(() => standIn(flag, quiet, true, () => exits.push('worker'))));
      const pids = await waitFor('all three up', () =>
        supervisor?.pids().length === 3 ? supervisor.pids() : undefined,
      );
      expect(pids).toEqual([storage.pid, ...workers.map((w) => w.pid)]);
      await supervisor.stop();
      // the workers (together), then what they write to
      expect(exits).toEqual(['worker', 'worker', 'storage']);

      const lines: string[] = [];
      const crashing = new Supervisor().start(standIn(path.join(dir, 'absent'), (line) => lines.push(line), false));
      await waitFor('the crash', () => (lines.includes('exited (code 3)') ? true : undefined));
      await sleep(200);
      expect(crashing.pid).toBeUndefined();
      expect(lines).toEqual(['exited (code 3)']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
