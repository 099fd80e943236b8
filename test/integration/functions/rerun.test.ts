import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { AlertIntake } from '../../../src/intake/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { testAlert } from '../../support/alerts.js';
import { cloudo } from '../../support/cli.js';
import { bearerFor } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

/** Re-run: the same schema, arguments, parameters and alert, linked both ways, gated like any run. */
describe('re-running a run', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let worker: QueueWorker;
  const as: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestStorage();
    const dir = await makeRunbooks({
      'show.sh':
        '#!/bin/bash\necho "args=$* who=$CLOUDO_PARAM_WHO rule=$CLOUDO_ALERT_RULE file=$(cat "$CLOUDO_ALERT_FILE")"\n',
    });
    await t.storage.schemas.importSchemas([
      testSchema({
        id: 'show',
        runbook: 'show.sh',
        runArgs: '--dry-run',
        parameters: [{ name: 'who', type: 'string', required: false, description: '' }],
      }),
      testSchema({ id: 'gated', runbook: 'show.sh', requireApproval: true }),
    ]);
    app = await startSecuredApp(t);
    worker = startTestWorker(t, dir);
    as.olga = await bearerFor(t, 'operator', 'olga');
    as.vera = await bearerFor(t, 'viewer', 'vera');
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await app.close();
    await t.cleanup();
  });

  const call = (who: string, path: string, body?: unknown) =>
    app.fetch(path, {
      method: 'POST',
      headers: { authorization: as[who] ?? '', 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  const finished = (execId: string) =>
    waitFor<Execution>('the run to finish', async () => {
      const e = (await t.storage.executions.get(execId))?.execution;
      return e && isTerminal(e.status) ? e : undefined;
    });
  const logOf = async (execId: string) => (await t.storage.logs.read(execId))?.toString('utf8');

  it('repeats an alert run with its arguments, parameters and alert, and links the two', async () => {
    const schema = await t.storage.schemas.get('show');
    const [outcome] = await new AlertIntake(t.storage).accept({
      schema,
      alerts: [testAlert({ alertId: 'rerun-1', alertRule: 'disk-full' })],
      payload: { original: 'payload' },
      trigger: { source: 'alert', actor: null, team: 'ops', principal: null },
    });
    const firstId = outcome?.execId ?? '';
    await finished(firstId);
    const res = await call('olga', `/api/executions/${firstId}/rerun`);
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { exec_id: string; rerun_of: string; status: string };
    expect(answer).toMatchObject({ rerun_of: firstId, status: 'accepted' });
    const again = await finished(answer.exec_id);
    expect(again).toMatchObject({
      status: 'succeeded',
      rerunOf: firstId,
      runArgs: '--dry-run',
      alertRule: 'disk-full',
      trigger: { source: 'rerun', actor: expect.stringMatching(/^olga /), team: 'ops' },
    });
    expect(await logOf(answer.exec_id)).toBe(await logOf(firstId));
    expect(await logOf(answer.exec_id)).toBe('args=--dry-run who= rule=disk-full file={"original":"payload"}\n');
    const original = await app.fetch(`/api/executions/${firstId}`, { headers: { authorization: as.vera ?? '' } });
    expect(((await original.json()) as { reruns: string[] }).reruns).toEqual([answer.exec_id]);
    const audit = await t.storage.audit.list({ limit: 50 });
    expect(audit.entries.find((e) => e.action === 'rerun')).toMatchObject({
      actorId: expect.stringMatching(/^olga /),
      target: answer.exec_id,
      details: { schema: 'show', rerun_of: firstId },
    });
  });

  it('repeats a manual run with its parameters, from the CLI too', async () => {
    const started = await call('olga', '/api/executions', { schema_id: 'show', params: { who: 'world' } });
    const firstId = ((await started.json()) as { exec_id: string }).exec_id;
    await finished(firstId);
    const res = await cloudo(['rerun', firstId, '--follow'], {
      CLOUDO_URL: app.host.url,
      CLOUDO_TOKEN: (as.olga ?? '').replace(/^Bearer /, ''),
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('args=--dry-run who=world rule= file=\n');
    const rerunId = /run ([0-9a-f-]{36}) accepted/.exec(res.stdout)?.[1] ?? '';
    expect((await t.storage.executions.get(rerunId))?.execution).toMatchObject({
      params: { who: 'world' },
      rerunOf: firstId,
    });
  });

  it('makes a gated schema’s re-run wait for approval, and refuses what cannot be repeated', async () => {
    const started = await call('olga', '/api/executions', { schema_id: 'gated' });
    const firstId = ((await started.json()) as { exec_id: string }).exec_id;
    const res = await call('olga', `/api/executions/${firstId}/rerun`);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'pending_approval', rerun_of: firstId });
    expect((await call('vera', `/api/executions/${firstId}/rerun`)).status).toBe(403);
    const missing = await call('olga', '/api/executions/019cb7d5-8a00-7000-8000-000000000001/rerun');
    expect(missing.status).toBe(404);
  });
});
