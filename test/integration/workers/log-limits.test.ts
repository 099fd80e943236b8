import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

const CAP = 1024 * 1024;

/** Big logs end in a terminal status, capped; secrets in output are hidden before they are stored. */
describe('log limits and redaction', () => {
  let t: TestStorage;
  let worker: QueueWorker;

  beforeAll(async () => {
    t = await createTestStorage();
    const dir = await makeRunbooks({
      'big.py':
        'import sys\nline = "x" * 99 + "\\n"\nfor _ in range(int(sys.argv[1]) // 100):\n    sys.stdout.write(line)\n',
      'leaky.sh': [
        '#!/usr/bin/env bash',
        'echo "the token is must-not-leak-0123456789"',
        'echo "curl -H \'Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload.signature\'"',
        'echo "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;"',
        // a secret split across two writes and two flushes is still found: lines are redacted whole
        'printf "half: must-not-"; sleep 0.3; printf "leak-0123456789 end\\n"',
        'echo "plain text stays"',
      ].join('\n'),
    });
    worker = startTestWorker(t, dir, {
      logMaxBytes: CAP,
      workerEnv: { PATH: process.env.PATH, HOME: process.env.HOME, API_TOKEN: 'must-not-leak-0123456789' },
    });
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await t.cleanup();
  });

  const run = async (runbook: string, runArgs = '') => {
    const plan = planRun(testSchema({ id: runbook.replace(/\W/g, ''), runbook, runArgs }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    return waitFor<Execution>(
      `${runbook} to finish`,
      async () => {
        const e = (await t.storage.executions.get(plan.execution.execId))?.execution;
        return e && isTerminal(e.status) ? e : undefined;
      },
      30_000,
    );
  };

  it('keeps a 200 KB log whole', async () => {
    const done = await run('big.py', String(200 * 1024));
    expect(done).toMatchObject({ status: 'succeeded', logBytes: 200 * 1024 - ((200 * 1024) % 100) });
  });

  it('caps a 20 MB log with a marker, and still records the final status', async () => {
    const done = await run('big.py', String(20 * 1024 * 1024));
    expect(done.status).toBe('succeeded');
    const log = (await t.storage.logs.read(done.execId))?.toString() ?? '';
    expect(log.length).toBe(done.logBytes);
    expect(done.logBytes).toBeGreaterThan(CAP);
    expect(done.logBytes).toBeLessThan(CAP + 200);
    expect(log).toMatch(/\[cloudo\] log truncated at 1048576 bytes: further output of this run is not kept\n$/);
  });

  it('hides secret values and credential-shaped strings, even across writes', async () => {
    const done = await run('leaky.sh');
    const log = (await t.storage.logs.read(done.execId))?.toString() ?? '';
    expect(log).not.toContain('must-not-leak');
    expect(log).not.toContain('c2VjcmV0LWtleS12YWx1ZQ');
    expect(log).not.toContain('eyJhbGciOiJSUzI1NiJ9');
    expect(log).toContain('the token is ***');
    expect(log).toContain('Authorization: Bearer ***');
    expect(log).toContain('AccountKey=***');
    expect(log).toContain('half: *** end');
    expect(log).toContain('plain text stays');
    expect(done.logBytes).toBe(Buffer.byteLength(log));
  });
});
