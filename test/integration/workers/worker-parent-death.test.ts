import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { isAlive, waitFor } from '../../support/wait.js';
import { makeRunbooks } from '../../support/worker.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/**
 * The local stack starts each worker with an IPC channel and reads its output through a pipe. If the
 * stack is SIGKILLed, the worker must stop by itself — whether it was serving or still starting — and its
 * broken output pipe must not end it before it has.
 */
describe('a worker whose parent died', () => {
  let t: TestStorage;
  let runbooks: string;
  let parent: ChildProcess | undefined;
  let workerPid = 0;

  beforeAll(async () => {
    t = await createTestStorage();
    runbooks = await makeRunbooks({ 'ok.sh': '#!/usr/bin/env bash\necho ok\n' });
  });
  afterEach(() => {
    for (const pid of [parent?.pid ?? 0, workerPid]) if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  afterAll(() => t.cleanup());

  /** A parent like the local stack's: the worker with an IPC channel, its output piped through the parent. */
  const startParent = () => {
    const script = `
      const { spawn } = require('node:child_process');
      const worker = spawn(process.execPath, ['--import', 'tsx', ${JSON.stringify(path.join(ROOT, 'workers/main.ts'))}], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        detached: true,
      });
      console.log('worker pid ' + worker.pid);
      worker.stdout.pipe(process.stdout);
      worker.stderr.pipe(process.stderr);
    `;
    parent = spawn(process.execPath, ['-e', script], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...t.env,
        CLOUDO_WORKER: 'Runbook',
        RUNBOOKS_DIR: runbooks,
        CLOUDO_SHUTDOWN_GRACE_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    parent.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    parent.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    return { output: () => output };
  };
  /** Gone, and gracefully: a worker that closes removes its row from Table Workers, one that crashed leaves it. */
  const workerStopsCleanly = async (output: () => string) => {
    await waitFor(
      `worker ${workerPid} to stop after its parent died`,
      () => (isAlive(workerPid) ? undefined : true),
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${output()}`);
    });
    expect(await t.storage.workers.list()).toEqual([]);
  };

  it('stops once serving', async () => {
    const { output } = startParent();
    await waitFor('the worker to poll', () => (output().includes('worker Runbook polling') ? true : undefined), 20_000);
    expect(await t.storage.workers.list()).toHaveLength(1);
    workerPid = Number(/worker pid (\d+)/.exec(output())?.[1]);
    parent?.kill('SIGKILL');
    await workerStopsCleanly(output);
  });

  it('stops when its parent died while it was still starting', async () => {
    const { output } = startParent();
    workerPid = Number(await waitFor('the worker pid', () => /worker pid (\d+)/.exec(output())?.[1]));
    // long before the worker has loaded its modules, let alone listened for its parent's death
    parent?.kill('SIGKILL');
    expect(output()).not.toContain('worker Runbook polling');
    await workerStopsCleanly(output);
  });
});
