import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { triggerFunction } from '../../../src/functions/trigger.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { callHttp, testServices } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

const HOSTILE = '$(touch /tmp/cloudo-param-pwned) `id`; echo owned';

/** Typed parameters: checked against the schema, carried by the run, seen by the runbook as env only. */
describe('a manual run with parameters', () => {
  let t: TestStorage;
  let worker: QueueWorker;
  let trigger: ReturnType<typeof triggerFunction>;

  beforeAll(async () => {
    t = await createTestStorage();
    const dir = await makeRunbooks({
      'scale.sh': '#!/bin/bash\nenv | grep ^CLOUDO_PARAM_ | sort\necho "args=$#"\n',
    });
    await t.storage.schemas.importSchemas([
      testSchema({
        id: 'scale',
        runbook: 'scale.sh',
        parameters: [
          { name: 'namespace', type: 'string', required: true, description: '' },
          { name: 'replicas', type: 'number', required: false, default: 2, description: '' },
          { name: 'note', type: 'string', required: false, description: '' },
        ],
      }),
      testSchema({ id: 'plain', runbook: 'scale.sh' }),
    ]);
    trigger = triggerFunction(testServices(t));
    worker = startTestWorker(t, dir);
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await t.cleanup();
  });

  const post = (id: string, body: unknown) =>
    callHttp(trigger, {
      method: 'POST',
      url: `http://localhost/api/Trigger?id=${id}`,
      query: { id },
      headers: { 'content-type': 'application/json' },
      body: { string: JSON.stringify(body) },
    });

  const finished = (execId: string) =>
    waitFor<Execution>('the run to finish', async () => {
      const e = (await t.storage.executions.get(execId))?.execution;
      return e && isTerminal(e.status) ? e : undefined;
    });

  it('gives the runbook each value as CLOUDO_PARAM_<NAME>, defaults filled, never through a shell or argv', async () => {
    const res = await post('scale', { params: { namespace: 'payments', note: HOSTILE } });
    expect(res.status).toBe(202);
    const execId = (res.json as { exec_id: string }).exec_id;
    const run = await finished(execId);
    expect(run).toMatchObject({ status: 'succeeded', params: { namespace: 'payments', replicas: 2, note: HOSTILE } });
    const log = (await t.storage.logs.read(execId))?.toString('utf8');
    expect(log).toBe(
      `CLOUDO_PARAM_NAMESPACE=payments\nCLOUDO_PARAM_NOTE=${HOSTILE}\nCLOUDO_PARAM_REPLICAS=2\nargs=0\n`,
    );
  });

  it('refuses values the schema does not allow with 400 naming each, and records nothing', async () => {
    const before = (await t.storage.executions.list({ limit: 200 })).executions.length;
    const res = await post('scale', { params: { replicas: 'many', colour: 'red' } });
    expect(res.status).toBe(400);
    expect((res.json as { error: string }).error).toBe(
      'invalid parameters for scale: params.colour: unknown parameter (this runbook takes namespace, replicas, note); ' +
        'params.namespace: is required; params.replicas: must be a number',
    );
    const plain = await post('plain', { params: { a: '1' } });
    expect(plain.status).toBe(400);
    expect((plain.json as { error: string }).error).toMatch(/this runbook takes no parameters/);
    expect((await t.storage.executions.list({ limit: 200 })).executions).toHaveLength(before);
  });
});
