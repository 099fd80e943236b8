import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../../src/core/run-plan.js';
import { listWorkersFunction } from '../../../src/functions/workers.js';
import { abandonStaleRuns, RunDispatcher } from '../../../src/runs/index.js';
import { bearerFor, callHttp, testServices } from '../../support/functions.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** A worker killed with SIGKILL mid-run: its run ends abandoned, and never runs a second time. */
describe('worker death', () => {
  let t: TestStorage;
  let dir: string;
  let child: ChildProcess | undefined;
  const counter = path.join(os.tmpdir(), `cloudo-death-${process.pid}.txt`);

  beforeAll(async () => {
    t = await createTestStorage();
    dir = await makeRunbooks({ 'long.sh': '#!/usr/bin/env bash\necho "$$" >> "$1"\nsleep 30\n' });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    // the orphaned runbook of the killed worker
    const pids = (await readFile(counter, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await t.cleanup();
  });

  it('is listed while alive, then its run is abandoned and no other worker runs it again', async () => {
    // the worker program itself, as its container runs it
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers/main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...t.env,
        CLOUDO_WORKER: 'Runbook',
        RUNBOOKS_DIR: dir,
        CLOUDO_HEARTBEAT_MS: '200',
        CLOUDO_VISIBILITY_TIMEOUT_MS: '2000',
        CLOUDO_POLL_MAX_INTERVAL_MS: '50',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const plan = planRun(testSchema({ id: 'long', runbook: 'long.sh', runArgs: counter }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    const { execId } = plan.execution;
    const running = await waitFor(
      'the run to start on the worker process',
      async () => {
        const e = (await t.storage.executions.get(execId))?.execution;
        return e?.status === 'running' ? e : undefined;
      },
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nworker stderr: ${stderr}`);
    });

    const viewer = await bearerFor(t, 'viewer');
    const list = listWorkersFunction(testServices(t));
    const listed = await waitFor('the worker to report its run', async () => {
      const res = await callHttp(list, { url: 'http://x/api/workers', headers: { authorization: viewer } });
      const workers = (res.json as { workers: { running_runs: string[] }[] }).workers;
      return workers[0]?.running_runs.includes(execId) ? res.json : undefined;
    });
    expect(listed).toMatchObject({
      workers: [
        {
          capability: 'Runbook',
          worker_id: running.workerId,
          alive: true,
          running_runs: [execId],
          runbook_isolation: 'none',
        },
      ],
    });

    child.kill('SIGKILL');
    await once(child, 'exit');
    // the worker is still listed, silent: before the stale window nothing happens, after it the run is abandoned
    expect(
      await abandonStaleRuns({ executions: t.storage.executions, workers: t.storage.workers, staleAfterMs: 60_000 }),
    ).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_000));
    const abandoned = await abandonStaleRuns({
      executions: t.storage.executions,
      workers: t.storage.workers,
      staleAfterMs: 800,
    });
    expect(abandoned.map((r) => r.execId)).toEqual([execId]);
    expect((await t.storage.executions.get(execId))?.execution).toMatchObject({
      status: 'abandoned',
      error: expect.stringMatching(new RegExp(`^its worker ${running.workerId} stopped heartbeating \\(last seen `)),
    });

    // the message reappears once its lease lapses; a second worker drops it instead of running it again
    const second = startTestWorker(t, dir, { pollMaxIntervalMs: 50 });
    await waitFor(
      'the queue to drain',
      async () =>
        (await t.storage.clients.queue(t.storage.names.jobQueue('Runbook')).getProperties())
          .approximateMessagesCount === 0
          ? true
          : undefined,
      10_000,
    );
    await second.close({ force: true });
    const starts = (await readFile(counter, 'utf8')).split('\n').filter(Boolean);
    expect(starts).toHaveLength(1);
  }, 40_000);
});
