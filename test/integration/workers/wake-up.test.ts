import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { triggerFunction } from '../../../src/functions/trigger.js';
import type { WorkerWake } from '../../../src/runs/index.js';
import { bearerFor, callHttp, testServices } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks } from '../../support/worker.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const KEY = 'wake-key-0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Issue 19.1: a trigger nudges an idle worker, which polls at once instead of at the end of its idle
 * pause; the queue stays the truth, so without a nudge the run waits for a poll and still runs. Real
 * worker processes (workers/main.ts), real Azurite, the nudge over real HTTP.
 */
describe('a triggered run wakes an idle worker', () => {
  let t: TestStorage;
  let runbooks: string;
  let operator: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    t = await createTestStorage();
    runbooks = await makeRunbooks({ 'ok.sh': '#!/usr/bin/env bash\necho ok\n' });
    operator = await bearerFor(t, 'operator');
    await t.storage.schemas.importSchemas([testSchema({ id: 'quick', runbook: 'ok.sh', worker: 'Runbook' })]);
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      if (worker.exitCode !== null || worker.signalCode !== null) continue;
      const exited = once(worker, 'exit');
      worker.kill('SIGTERM');
      await exited;
    }
  });
  afterAll(() => t.cleanup());

  const startWorker = (env: Record<string, string>) => {
    const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers/main.ts')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        ...t.env,
        CLOUDO_WORKER: 'Runbook',
        RUNBOOKS_DIR: runbooks,
        CLOUDO_SHUTDOWN_GRACE_MS: '500',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [worker.stdout, worker.stderr]) stream?.on('data', (d: Buffer) => (output += d.toString()));
    workers.push(worker);
    return { worker, output: () => output };
  };

  const trigger = async (services: ReturnType<typeof testServices>) => {
    const answer = await callHttp(triggerFunction(services), {
      url: 'http://x/api/Trigger?id=quick',
      headers: { authorization: operator },
    });
    expect(answer.status).toBe(202);
    return (answer.json as { exec_id: string }).exec_id;
  };
  const claimed = (execId: string, timeoutMs?: number) =>
    waitFor(
      `run ${execId} claimed by the worker`,
      async () => {
        const run = (await t.storage.executions.get(execId))?.execution;
        return run?.startedAt ? run : undefined;
      },
      timeoutMs,
    );

  it('claims a run long before its 60 s idle poll would have found it: the trigger nudged it', async () => {
    const w = startWorker({ CLOUDO_WAKE_KEY: KEY, CLOUDO_WAKE_PORT: '0', CLOUDO_POLL_MAX_INTERVAL_MS: '60000' });
    const listed = await waitFor(
      'the worker listed with its wake-up address',
      async () => (await t.storage.workers.list()).find((b) => b.wakeUrl),
      20_000,
    );
    expect(listed.wakeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/wake$/);
    // it polled as it started and backs off from 25 ms, doubling: 14 s on it is in a pause that ends over
    // 25 s after its start, so a run claimed within 5 s of the trigger was not found by a poll of its own
    await sleep(14_000);
    const services = testServices(t, { wakeKey: KEY });
    const execId = await trigger(services);
    await claimed(execId, 5_000);
    expect((services().wake as WorkerWake).counts).toEqual({ delivered: 1, missed: 0 });
    expect(w.output()).toContain('wake-up listener on http://127.0.0.1:');
  }, 60_000);

  it('without a listener the run is still claimed, by polling: the queue is the truth', async () => {
    const w = startWorker({ CLOUDO_POLL_MAX_INTERVAL_MS: '200' });
    await waitFor('the worker listed', async () => ((await t.storage.workers.list()).length > 0 ? true : undefined));
    expect((await t.storage.workers.list()).map((b) => b.wakeUrl)).toEqual([undefined]);
    const services = testServices(t, { wakeKey: KEY });
    const execId = await trigger(services);
    await claimed(execId);
    // the app knew no address to nudge
    expect((services().wake as WorkerWake).counts).toEqual({ delivered: 0, missed: 1 });
    expect(w.output()).toContain('no wake-up listener');
  }, 60_000);
});
