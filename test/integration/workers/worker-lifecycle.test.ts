import { createHook } from 'node:async_hooks';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { isAlive, waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

describe('worker lifecycle: leases and shutdown', () => {
  let t: TestStorage;
  let dir: string;

  beforeAll(async () => {
    t = await createTestStorage();
    dir = await makeRunbooks({
      'slow.sh': '#!/usr/bin/env bash\necho $$ > "$2"\necho start\nsleep "$1"\necho end\n',
    });
  });
  afterAll(() => t.cleanup());

  const dispatch = async (seconds: number, pidFile: string) => {
    const plan = planRun(
      testSchema({ id: 'slow', runbook: 'slow.sh', runArgs: `${seconds} ${pidFile}` }),
      HTTP_TRIGGER,
    );
    await new RunDispatcher(t.storage).dispatch(plan);
    return plan.execution.execId;
  };
  const current = async (execId: string): Promise<Execution | undefined> =>
    (await t.storage.executions.get(execId))?.execution;
  const pidFile = (name: string) => path.join(os.tmpdir(), `cloudo-${process.pid}-${name}.pid`);

  it('keeps a long run invisible to other workers by renewing its lease', async () => {
    const heard: string[] = [];
    const a = startTestWorker(t, dir, { visibilityTimeoutMs: 1_000 });
    const execId = await dispatch(3, pidFile('lease'));
    await waitFor('the run to start on worker A', async () =>
      (await current(execId))?.status === 'running' ? true : undefined,
    );
    // B polls the same queue; without renewals the message would reappear after 1 s and B would see it
    const b = startTestWorker(t, dir, { visibilityTimeoutMs: 1_000, log: (_level, message) => heard.push(message) });
    const done = await waitFor('the run to finish', async () => {
      const e = await current(execId);
      return e && isTerminal(e.status) ? e : undefined;
    });
    await Promise.all([a.close(), b.close()]);
    expect(done.status).toBe('succeeded');
    expect(heard.filter((m) => m.includes(execId))).toEqual([]);
  });

  it('lets a running runbook finish on close(), then stops', async () => {
    const worker = startTestWorker(t, dir, { shutdownGraceMs: 10_000 });
    const execId = await dispatch(1, pidFile('graceful'));
    await waitFor('the run to start', async () => ((await current(execId))?.status === 'running' ? true : undefined));
    const closing = worker.close();
    expect(worker.close()).toBe(closing);
    expect(worker.isRunning()).toBe(false);
    await closing;
    expect(await current(execId)).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(worker.activeRuns).toBe(0);
  });

  it('kills what is still running when the grace period ends, and records why', async () => {
    const worker = startTestWorker(t, dir, { shutdownGraceMs: 200, killGraceMs: 200 });
    const file = pidFile('killed');
    const execId = await dispatch(60, file);
    await waitFor('the run to start', async () => ((await current(execId))?.status === 'running' ? true : undefined));
    const pid = Number(await waitFor('the pid file', () => readFile(file, 'utf8').then((s) => s.trim() || undefined)));
    await worker.close();
    const done = await current(execId);
    expect(done).toMatchObject({ status: 'error', signal: 'SIGTERM' });
    expect(done?.error).toMatch(/worker shut down before the runbook finished/);
    expect(isAlive(pid)).toBe(false);
    expect((await t.storage.logs.read(execId))?.toString()).toBe('start\n');
  });
  it('leaves no timer, child process or pipe behind once close() resolves', async () => {
    // Every timer, immediate, child process and pipe created while the worker lives, and not yet gone.
    // An async hook rather than process.getActiveResourcesInfo(): the worker unrefs its timers, and that
    // list shows only what keeps the event loop alive, so a leaked unref'd chain would not appear in it.
    const live = new Map<number, string>();
    let recording = true;
    const hook = createHook({
      init: (id, type) => {
        if (recording && ['Timeout', 'Immediate', 'PROCESSWRAP', 'PIPEWRAP'].includes(type)) live.set(id, type);
      },
      destroy: (id) => live.delete(id),
    });
    const left = () => [...live.values()].sort();
    hook.enable();
    try {
      // a run still going when close() starts: leases, cancel watch, log streaming and heartbeat are all
      // live then, and the grace period lets the runbook end on its own
      const worker = startTestWorker(t, dir, { visibilityTimeoutMs: 2_000, shutdownGraceMs: 10_000 });
      const file = pidFile('handles');
      const execId = await dispatch(1, file);
      await waitFor('the runbook to start', () => readFile(file, 'utf8').then((s) => s.trim() || undefined));
      expect(left()).toContain('PROCESSWRAP');

      await worker.close();
      recording = false;
      expect(await current(execId)).toMatchObject({ status: 'succeeded' });
      // destroy hooks are emitted on a later turn of the event loop
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));

      expect(left()).toEqual([]);
    } finally {
      hook.disable();
    }
  });
});
