import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../src/storage/job-queue.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { bearerFor } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

/** A schema with `require_approval: true` records a run that waits: nothing queued, nothing started. */
describe('a gated trigger', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let worker: QueueWorker;
  let operator: string;
  let dir: string;

  beforeAll(async () => {
    t = await createTestStorage();
    dir = await makeRunbooks({ 'gated.sh': '#!/usr/bin/env bash\ntouch "$(dirname "$0")/ran-$CLOUDO_EXEC_ID"\n' });
    await t.storage.schemas.importSchemas([testSchema({ id: 'gated', runbook: 'gated.sh', requireApproval: true })]);
    app = await startSecuredApp(t);
    operator = await bearerFor(t, 'operator', 'alice');
    worker = startTestWorker(t, dir);
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await app.close();
    await t.cleanup();
  });

  it('records pending_approval, queues nothing, and no worker starts the script', async () => {
    const res = await app.fetch('/api/Trigger?id=gated', {
      headers: { authorization: operator, 'x-functions-key': FUNCTION_KEY },
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { exec_id: string; status: string };
    expect(body.status).toBe('pending_approval');

    expect((await t.storage.executions.get(body.exec_id))?.execution.status).toBe('pending_approval');
    const messages = await t.storage.jobs.forWorker('Runbook').receive(32, 1000);
    expect(messages).toEqual([]);
    // the worker polls every 50 ms: give it many chances to (wrongly) run the script
    await sleep(500);
    expect(existsSync(path.join(dir, `ran-${body.exec_id}`))).toBe(false);
    expect((await t.storage.executions.get(body.exec_id))?.execution.status).toBe('pending_approval');
  });

  it('announces the waiting run on the results queue, where its approval request is sent from', async () => {
    const res = await app.fetch('/api/Trigger?id=gated', {
      headers: { authorization: operator, 'x-functions-key': FUNCTION_KEY },
    });
    const { exec_id: execId } = (await res.json()) as { exec_id: string };
    const results = t.storage.clients.queue(t.storage.names.resultsQueue);
    const { peekedMessageItems } = await results.peekMessages({ numberOfMessages: 32 });
    expect(peekedMessageItems.map((m) => decodeMessage(m.messageText))).toContainEqual(
      expect.objectContaining({ execId, status: 'pending_approval' }),
    );
  });
});
