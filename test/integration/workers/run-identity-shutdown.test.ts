import type { Socket } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

/**
 * A run whose worker stops (or which is cancelled) while its federated token is still being fetched: its
 * runbook never started, and its record says that, not that the app could not be reached.
 */
describe('a run stopped while its Azure token is being fetched', () => {
  let t: TestStorage;
  let dir: string;
  const sockets: Socket[] = [];
  // an app that takes the call and never answers
  const silent = createServer((socket) => sockets.push(socket));
  let appUrl: string;

  beforeAll(async () => {
    t = await createTestStorage();
    dir = await makeRunbooks({ 'hello.sh': '#!/usr/bin/env bash\necho hello\n' });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await t.cleanup();
  });

  const runningRun = async () => {
    const plan = planRun(testSchema({ id: 'hello', runbook: 'hello.sh' }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    await waitFor('the run claimed', async () =>
      (await t.storage.executions.get(plan.execution.execId))?.execution.status === 'running' ? true : undefined,
    );
    return plan.execution.execId;
  };
  const ended = (execId: string) =>
    waitFor('the run ended', async () => {
      const e = (await t.storage.executions.get(execId))?.execution;
      return e && e.status !== 'running' ? (e as Execution) : undefined;
    });

  it('says the worker shut down before the runbook started', async () => {
    const worker = startTestWorker(t, dir, { runIdentity: { appUrl, key: 'k'.repeat(40) } });
    const execId = await runningRun();
    await worker.close({ force: true });
    const run = await ended(execId);
    expect(run.status).toBe('error');
    expect(run.error).toBe('the worker shut down before the runbook started');
  });

  it('is cancelled, by whoever asked, when cancelled then', async () => {
    const worker = startTestWorker(t, dir, { runIdentity: { appUrl, key: 'k'.repeat(40) }, cancelPollMs: 50 });
    try {
      const execId = await runningRun();
      const row = await t.storage.executions.get(execId);
      if (!row) throw new Error('no row');
      await t.storage.executions.update(row, { ...row.execution, cancelRequestedBy: 'alice' });
      const run = await ended(execId);
      expect(run).toMatchObject({ status: 'cancelled', cancelRequestedBy: 'alice', error: 'cancelled by alice' });
    } finally {
      await worker.close({ force: true });
    }
  });
});
