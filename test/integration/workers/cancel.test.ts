import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { bearerFor } from '../../support/functions.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { isAlive, waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

/** POST /api/executions/{id}/cancel against real workers and real process trees. */
describe('cancel', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let operator: string;
  let dir: string;
  let worker: QueueWorker | undefined;
  const scratch = os.tmpdir();

  beforeAll(async () => {
    t = await createTestStorage();
    app = await startSecuredApp(t);
    operator = await bearerFor(t, 'operator', 'alice');
    dir = await makeRunbooks({
      // a child in the group, and a grandchild that leaves it with setsid, both recorded
      'tree.sh': [
        '#!/usr/bin/env bash',
        'sleep 300 & echo $! >> "$1"',
        'setsid bash -c \'echo $$ >> "$0"; sleep 300\' "$1" &',
        'echo $$ >> "$1"',
        'echo started',
        'sleep 300',
      ].join('\n'),
      'quick.sh': '#!/usr/bin/env bash\necho done\n',
    });
  });
  afterAll(async () => {
    await worker?.close({ force: true });
    await app.close();
    await t.cleanup();
  });

  const dispatch = async (runbook: string, runArgs = '') => {
    const plan = planRun(testSchema({ id: runbook.replace('.sh', ''), runbook, runArgs }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    return plan.execution.execId;
  };
  const cancel = (execId: string) =>
    app.fetch(`/api/executions/${execId}/cancel`, { method: 'POST', headers: { authorization: operator } });
  const row = async (execId: string) => (await t.storage.executions.get(execId))?.execution;

  it('cancels a queued run at once, and no worker ever starts it', async () => {
    const execId = await dispatch('quick.sh');
    const res = await cancel(execId);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'cancelled',
      cancel_requested_by: `alice (token ${operator.slice(14, 26)})`,
    });
    worker = startTestWorker(t, dir);
    await waitFor('the queue to drain', async () =>
      (await t.storage.clients.queue(t.storage.names.jobQueue('Runbook')).getProperties()).approximateMessagesCount ===
      0
        ? true
        : undefined,
    );
    expect((await row(execId))?.status).toBe('cancelled');
    expect(await t.storage.logs.read(execId)).toBeNull();
  });

  it('kills a running tree, setsid grandchild included, and records who asked', async () => {
    worker ??= startTestWorker(t, dir);
    const pidFile = path.join(scratch, `cloudo-cancel-${process.pid}.pids`);
    const execId = await dispatch('tree.sh', pidFile);
    await waitFor('the tree to start', async () =>
      (await t.storage.logs.read(execId))?.toString().includes('started') ? true : undefined,
    );
    const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number);
    expect(pids).toHaveLength(3);
    const res = await cancel(execId);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'running', cancel_requested_by: expect.stringMatching(/^alice/) });
    const done = await waitFor<Execution>('the run to end', async () => {
      const e = await row(execId);
      return e && isTerminal(e.status) ? e : undefined;
    });
    await waitFor('every process of the tree to be gone', () => (pids.some(isAlive) ? undefined : true), 5_000);
    expect(done).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/^cancelled by alice/) });
  });

  it('answers 409 for a finished run and 404 for an unknown one', async () => {
    worker ??= startTestWorker(t, dir);
    const execId = await dispatch('quick.sh');
    await waitFor('the quick run to finish', async () =>
      (await row(execId))?.status === 'succeeded' ? true : undefined,
    );
    const finished = await cancel(execId);
    expect(finished.status).toBe(409);
    expect(((await finished.json()) as { error: string }).error).toMatch(/already finished \(succeeded\)/);
    expect((await cancel('01900000-0000-7000-8000-000000000000')).status).toBe(404);
  });
});
