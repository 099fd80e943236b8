import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../src/core/execution.js';
import { planRun } from '../../src/core/run-plan.js';
import { RunDispatcher } from '../../src/runs/index.js';
import { decodeMessage } from '../../src/storage/job-queue.js';
import type { QueueWorker } from '../../workers/queue-worker.js';
import { HTTP_TRIGGER, testSchema } from '../support/schemas.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';
import { waitFor } from '../support/wait.js';
import { makeRunbooks, startTestWorker } from '../support/worker.js';

/** Credentials a runbook might print: each must leave no trace in anything derived from its output. */
const API_TOKEN = `cloudo_0123456789ab_${'A'.repeat(43)}`;
const JWT =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const BEARER = 'Bearer abcdefghijklmnopqrstuvwxyz012345';
const ACCOUNT_KEY = 'AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==';
const CLIENT_SECRET = 'client_secret=s3cr3t-Value-0123456789';
const SECRETS = [
  API_TOKEN,
  JWT,
  'abcdefghijklmnopqrstuvwxyz012345',
  'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==',
  's3cr3t-Value-0123456789',
];

/**
 * A failing runbook prints credentials to stderr. The log was redacted; the run's `error` (the stderr tail
 * the API, the console and Slack show) and the result's log tail must be too, by the same redactor.
 */
describe('credentials a runbook prints', () => {
  let t: TestStorage;
  let worker: QueueWorker;
  let execution: Execution;

  beforeAll(async () => {
    t = await createTestStorage();
    const leak = [API_TOKEN, JWT, BEARER, ACCOUNT_KEY, CLIENT_SECRET].map((s) => `echo '${s}' >&2`).join('\n');
    const dir = await makeRunbooks({ 'leak.sh': `#!/usr/bin/env bash\n${leak}\necho 'out: ${JWT}'\nexit 1\n` });
    worker = startTestWorker(t, dir);
    const plan = planRun(testSchema({ id: 'leak', runbook: 'leak.sh' }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    execution = await waitFor('the leaking run to fail', async () => {
      const row = (await t.storage.executions.get(plan.execution.execId))?.execution;
      return row?.status === 'failed' ? row : undefined;
    });
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await t.cleanup();
  });

  it('keeps them out of the run’s error, which still says how it ended', () => {
    expect(execution.error).toMatch(/^exited with code 1: /);
    for (const secret of SECRETS) expect(execution.error).not.toContain(secret);
  });

  it('keeps them out of the log and of the result on-call reads', async () => {
    const log = (await t.storage.logs.read(execution.execId))?.toString() ?? '';
    const results = t.storage.clients.queue(t.storage.names.resultsQueue);
    const { peekedMessageItems } = await results.peekMessages({ numberOfMessages: 32 });
    const result = JSON.stringify(peekedMessageItems.map((m) => decodeMessage(m.messageText)));
    expect(result).toContain(execution.execId);
    for (const secret of SECRETS) {
      expect(log).not.toContain(secret);
      expect(result).not.toContain(secret);
    }
  });
});
