import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import type { CliResult } from '../../support/cli.js';
import { cloudo } from '../../support/cli.js';
import { bearerFor } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

/** `cloudo run`, `logs`, `executions`, `cancel` against the whole app over HTTP and a real worker. */
describe('cloudo runs', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let worker: QueueWorker;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestStorage();
    const dir = await makeRunbooks({
      'greet.sh': '#!/bin/bash\nfor i in 1 2 3; do echo "hello $CLOUDO_PARAM_WHO $i"; sleep 0.3; done\n',
      'fail.sh': '#!/bin/bash\necho "about to fail"\nexit 3\n',
      'slow.sh': '#!/bin/bash\necho started\nsleep 60\n',
    });
    await t.storage.schemas.importSchemas([
      testSchema({
        id: 'greet',
        runbook: 'greet.sh',
        parameters: [{ name: 'who', type: 'string', required: true, description: 'whom to greet' }],
      }),
      testSchema({ id: 'fail', runbook: 'fail.sh' }),
      testSchema({ id: 'slow', runbook: 'slow.sh' }),
    ]);
    app = await startSecuredApp(t);
    worker = startTestWorker(t, dir);
    tokens.olga = (await bearerFor(t, 'operator', 'olga')).replace(/^Bearer /, '');
    tokens.vera = (await bearerFor(t, 'viewer', 'vera')).replace(/^Bearer /, '');
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await app.close();
    await t.cleanup();
  });

  const cli = (who: string, args: string[]): Promise<CliResult> =>
    cloudo(args, { CLOUDO_URL: app.host.url, CLOUDO_TOKEN: tokens[who] ?? '' });
  const execIdIn = (text: string) => /run ([0-9a-f-]{36}) /.exec(text)?.[1] ?? '';

  it('runs a schema with parameters, shows its live log, then a summary, and exits 0', async () => {
    const res = await cli('olga', ['run', 'greet', '--param', 'who=world', '--follow']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^run [0-9a-f-]{36} accepted\n/);
    expect(res.stdout).toContain('hello world 1\nhello world 2\nhello world 3\n');
    expect(res.stdout).toMatch(/run [0-9a-f-]{36} succeeded in \d+\.\d s \(exit 0\)\n$/);
  });

  it('exits with the run’s outcome: 1 for a failed run, with its error', async () => {
    const res = await cli('olga', ['run', 'fail', '-f']);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('about to fail\n');
    expect(res.stderr).toMatch(/run [0-9a-f-]{36} failed in \d+\.\d s \(exit 3\)/);
  });

  it('names refusals: a bad parameter, an unknown schema, a viewer who may not run', async () => {
    const bad = await cli('olga', ['run', 'greet', '--param', 'whom=world']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('params.whom: unknown parameter');
    expect(bad.stderr).toContain('params.who: is required');
    const unknown = await cli('olga', ['run', 'nope']);
    expect(unknown.stderr).toContain('no runbook schema with id "nope" (HTTP 404)');
    const viewer = await cli('vera', ['run', 'greet', '--param', 'who=x']);
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toContain('(HTTP 403)');
    const noValue = await cli('olga', ['run', 'greet', '--param', 'who']);
    expect(noValue).toMatchObject({ code: 2, stderr: '--param who: write it as name=value\n' });
  });

  it('lists runs, shows a log, and cancels a running run', async () => {
    const started = await cli('olga', ['run', 'slow']);
    const execId = execIdIn(started.stdout);
    expect(execId).not.toBe('');
    await waitFor('the slow run to start', async () =>
      (await t.storage.executions.get(execId))?.execution.status === 'running' ? true : undefined,
    );
    const listed = await cli('vera', ['executions', '--schema', 'slow']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${execId}  running  slow  `, 'm'));
    const cancelled = await cli('olga', ['cancel', execId]);
    expect(cancelled).toMatchObject({ code: 0, stdout: `run ${execId} cancelling\n` });
    const followed = await cli('vera', ['logs', execId, '--follow']);
    expect(followed.stdout).toContain('started\n');
    expect(followed.code).toBe(2);
    expect(followed.stderr).toMatch(new RegExp(`run ${execId} cancelled`));
    const log = await cli('vera', ['logs', execId]);
    expect(log).toMatchObject({ code: 0, stdout: 'started\n' });
    expect(await cli('vera', ['cancel', execId])).toMatchObject({ code: 1 });
    expect((await cli('vera', ['logs', 'not-an-id'])).code).toBe(2);
  });
});
