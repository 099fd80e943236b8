import os from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

/**
 * A runbook that keeps the CPU busy must leave its worker (heartbeats, lease renewals, log uploads) and what
 * shares its host their turn: runbooks run at CLOUDO_RUNBOOK_NICE, and so does everything they start.
 */
describe('the priority runbooks run at', () => {
  let t: TestStorage;
  let dir: string;
  let worker: QueueWorker | undefined;

  beforeAll(async () => {
    t = await createTestStorage();
    // field 19 of /proc/<pid>/stat is the process's niceness: the script's own, then a child's
    dir = await makeRunbooks({
      'nice.sh':
        'echo "script=$(cut -d" " -f19 /proc/$$/stat)"\nbash -c \'echo "child=$(cut -d" " -f19 /proc/$$/stat)"\'',
    });
    return async () => t.cleanup();
  });
  afterEach(async () => {
    await worker?.close({ force: true });
  });

  async function niceness(runbookNice: number | undefined): Promise<string> {
    worker = startTestWorker(t, dir, runbookNice === undefined ? {} : { runbookNice });
    const plan = planRun(testSchema({ id: 'nice', runbook: 'nice.sh' }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    const run = await waitFor('the run to end', async () => {
      const e = (await t.storage.executions.get(plan.execution.execId))?.execution;
      return e && isTerminal(e.status) ? e : undefined;
    });
    expect(run.status, run.error ?? '').toBe('succeeded');
    return (await t.storage.logs.read(run.execId))?.toString('utf8') ?? '';
  }

  it('is the niceness asked for, for the script and every process it starts', async () => {
    expect(await niceness(12)).toBe('script=12\nchild=12\n');
  });

  it('is the worker’s own at 0', async () => {
    const own = os.getPriority();
    expect(await niceness(0)).toBe(`script=${own}\nchild=${own}\n`);
  });
});
